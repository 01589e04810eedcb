"""The dashboard's improvement loop: the top wrong topics in words, a guest's mark that staff rejected not counted,
and the marked cases played once per published version (a real `concierge eval --marked` process), then shown."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from concierge.conversation.loop import RUN_ACTION
from concierge.core.db import session_scope
from concierge.users.audit import AuditEvent
from knowledge.models import Property
from tests.factories import (
    ANA,
    JOHN,
    STRANGER,
    add_user,
    csrf_of,
    guest_says,
    other_property,
    publish_draft,
    save_parking,
    sign_in,
    trace_of,
)

PAGE = "/admin/p/casa-test/dashboard"


def reply_to(prop: Property, body: str, *, phone: str) -> int:
    message = guest_says(prop, body, phone=phone)
    reply_id = trace_of(message.id).reply_message_id
    assert reply_id is not None
    return reply_id


def mark(client: TestClient, token: str, reply_id: int, verdict: str, topic: str = "") -> None:
    data = {"csrf_token": token, "verdict": verdict, "topic": topic, "note": ""}
    assert client.post(f"/console/replies/{reply_id}/mark", data=data, follow_redirects=False).status_code == 303


def runs() -> int:
    with session_scope() as s:
        return len(s.exec(select(AuditEvent).where(AuditEvent.action == RUN_ACTION)).all())


def test_empty_states_say_what_to_do_next(client: TestClient, prop: Property) -> None:
    guest_says(prop, "what is the wifi password?", phone=JOHN)
    add_user("owner@example.com")
    sign_in(client, "owner@example.com")
    html = client.get(PAGE).text
    assert "No reply was marked wrong in this period." in html and "No marked case yet." in html
    assert 'href="/console">Mark a reply in the console' in html and "Check the marked cases now" not in html


def test_top_wrong_topics_and_the_marked_cases_on_the_published_version(client: TestClient, prop: Property) -> None:
    wifi = reply_to(prop, "what is the wifi password?", phone=JOHN)
    wifi_again = reply_to(prop, "wifi password please", phone=STRANGER)
    checkin = reply_to(prop, "¿a qué hora es la entrada?", phone=ANA)
    guest_says(prop, "that's not what I asked", phone=STRANGER)  # the guest marks wifi_again wrong
    add_user("owner@example.com")
    token = sign_in(client, "owner@example.com", next="/console")
    mark(client, token, wifi, "wrong-topic", "parking")
    mark(client, token, wifi_again, "right")  # staff reject the guest's mark: the reply was right
    mark(client, token, checkin, "wrong-facts")

    html = client.get(PAGE).text
    table = html[html.index('id="t-wrong-topics"') : html.index("</table>", html.index('id="t-wrong-topics"'))]
    assert '<a href="/admin/p/casa-test/entries/wifi">Wi-Fi</a>' in table  # the entry's title, linked
    assert "<td>1</td><td>wrong topic (1)</td><td>Parking</td>" in table  # the rejected guest mark is not counted
    assert '<a href="/admin/p/casa-test/entries/check_in">Check-in</a>' in table and "wrong facts (1)" in table
    assert "3 marked cases, not yet checked on the published version 1." in html

    page_token = csrf_of(html)
    response = client.post(f"{PAGE}/check-cases", data={"csrf_token": page_token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"{PAGE}#loop"
    html = client.get(PAGE).text
    # The wifi case expects parking (fails), the right one keeps wifi (passes), check-in keeps its entry (passes).
    assert '<strong class="count">2 of 3</strong> marked cases pass on version 1' in html
    assert "Check the marked cases now" not in html
    client.post(f"{PAGE}/check-cases", data={"csrf_token": page_token}, follow_redirects=False)
    assert runs() == 1  # the same version and cases: the recorded run still holds, nothing is played again

    save_parking(client, keywords="en: car")
    # A draft changes nothing published: the run recorded on version 1 still holds.
    assert '<strong class="count">2 of 3</strong> marked cases pass on version 1' in client.get(PAGE).text
    assert "Published version 2" in publish_draft(client).text
    assert "3 marked cases, not yet checked on the published version 2." in client.get(PAGE).text


def test_other_owners_get_404_and_staff_403(client: TestClient, prop: Property) -> None:
    other_property()
    add_user("owner-b@example.com", properties=("casa-b",))
    token = sign_in(client, "owner-b@example.com")
    response = client.post(f"{PAGE}/check-cases", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 404 and runs() == 0
    client.cookies.clear()
    add_user("staff@example.com", role="staff")
    token = sign_in(client, "staff@example.com", next="/console")
    response = client.post(f"{PAGE}/check-cases", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 403 and runs() == 0


def test_a_check_that_breaks_says_so_and_records_nothing(
    client: TestClient, prop: Property, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    wifi = reply_to(prop, "what is the wifi password?", phone=JOHN)
    add_user("owner@example.com")
    token = sign_in(client, "owner@example.com", next="/console")
    mark(client, token, wifi, "wrong-topic", "parking")
    token = csrf_of(client.get(PAGE).text)
    # The run's own process cannot open the database (this process keeps its settings): it breaks before recording.
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing/concierge.db")
    response = client.post(f"{PAGE}/check-cases", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"{PAGE}?check=failed#loop"
    html = client.get(response.headers["location"]).text
    assert 'id="check-failed"' in html and "could not be checked, and nothing was recorded" in html
    assert runs() == 0 and "Check the marked cases now" in html  # still offered: nothing pretends it ran
