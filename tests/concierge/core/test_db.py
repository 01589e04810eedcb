"""A request's transaction ends before its response leaves: the page a form redirects to shows what the form did.

Seen in full PostgreSQL runs of the console walk in Chromium: the browser followed the redirect after "Add note"
before the note was committed, and the page it got had no note.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from concierge.app import create_app
from knowledge.models import Property
from tests.factories import add_user, csrf_of, guest_asks_for_person, sign_in


class Recorder:
    """The app, noting in `order` when a response starts beside the commits the app's sessions make."""

    def __init__(self, app: Any, order: list[str]) -> None:
        self.app, self.order = app, order

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def noting(message: Any) -> None:
            if message["type"] == "http.response.start":
                self.order.append(f"response {message['status']}")
            await send(message)

        await self.app(scope, receive, noting)


@pytest.fixture
def order() -> Iterator[list[str]]:
    noted: list[str] = []

    def committed(session: Session) -> None:
        noted.append("commit")

    event.listen(Session, "after_commit", committed)
    yield noted
    event.remove(Session, "after_commit", committed)


def test_a_console_form_is_committed_before_its_redirect_is_sent(
    monkeypatch: pytest.MonkeyPatch, prop: Property, order: list[str]
) -> None:
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    conversation_id = guest_asks_for_person(prop)
    add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    with TestClient(Recorder(create_app(), order)) as client:
        sign_in(client, "staff-a@example.com", next="/console")
        url = f"/console/conversations/{conversation_id}"
        token = csrf_of(client.get(url).text)
        order.clear()
        sent = client.post(
            f"{url}/note", data={"csrf_token": token, "body": "Towels delivered"}, follow_redirects=False
        )
        shown = client.get(sent.headers["location"]).text  # the page the redirect leads to
    assert sent.status_code == 303
    # The note's commit came before the 303 left (the bug: the redirect first, the commit after it). A commit after
    # the response is not asserted away: one was seen once in a full CI run (the client's shutdown or another
    # thread's session; not identified), and it is not the note's, which the page behind the redirect shows.
    assert "response 303" in order and "commit" in order[: order.index("response 303")], order
    assert "Towels delivered" in shown
