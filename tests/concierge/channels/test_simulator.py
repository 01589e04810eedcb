"""The guest simulator is for the property's own people: signed in, of that property, phones masked."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from concierge.app import create_app
from concierge.conversation.models import Message
from concierge.core.db import session_scope
from concierge.core.settings import get_settings
from knowledge.models import Property, Reservation
from tests.factories import ANA, JOHN, add_user, concierge, other_property, sign_in


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        yield c


def inbound_count() -> int:
    with session_scope() as s:
        return int(s.exec(select(func.count()).select_from(Message).where(Message.direction == "in")).one())


def ana_id() -> int:
    with session_scope() as s:
        found = s.exec(select(Reservation.id).where(Reservation.phone == ANA)).first()
        assert found is not None
        return found


def test_the_simulator_asks_a_stranger_to_sign_in(client: TestClient, prop: Property) -> None:
    page = client.get("/simulator?property=casa-test", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    messages = client.get("/simulator/messages", params={"property": "casa-test", "phone": ANA}, follow_redirects=False)
    assert messages.status_code == 303
    posted = client.post(
        "/simulator/messages",
        data={"property": "casa-test", "phone": ANA, "body": "door code?"},
        follow_redirects=False,
    )
    assert posted.status_code in (303, 401, 403)
    assert inbound_count() == 0  # nothing stored, so no door code is ever sent


def test_a_member_chats_as_a_booked_guest_whose_phone_is_masked(client: TestClient, prop: Property) -> None:
    add_user("host@example.com", role="staff")
    token = sign_in(client, "host@example.com", next="/simulator")
    page = client.get("/simulator")
    assert page.status_code == 200 and "Ana López" in page.text
    for phone in (ANA, JOHN):
        assert phone not in page.text and phone.lstrip("+") not in page.text  # masked, never in full
    assert "+34 ••• •• 11" in page.text
    sent = client.post(
        "/simulator/messages",
        data={"property": "casa-test", "guest": str(ana_id()), "body": "wifi?", "csrf_token": token},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    with session_scope() as s:
        stored = s.exec(select(Message).where(Message.direction == "in")).one()
        assert stored.body == "wifi?"
    transcript = client.get("/simulator/messages", params={"property": "casa-test", "guest": ana_id()})
    assert [m["body"] for m in transcript.json()] == ["wifi?"]


def test_a_post_without_the_sessions_token_is_refused(client: TestClient, prop: Property) -> None:
    add_user("host@example.com", role="staff")
    sign_in(client, "host@example.com", next="/simulator")
    sent = client.post("/simulator/messages", data={"property": "casa-test", "phone": ANA, "body": "hi"})
    assert sent.status_code == 403 and inbound_count() == 0


def test_another_propertys_member_gets_a_404(client: TestClient, prop: Property) -> None:
    other_property()
    add_user("other@example.com", properties=("casa-b",))
    token = sign_in(client, "other@example.com")
    assert client.get("/simulator?property=casa-test").status_code == 404
    sent = client.post(
        "/simulator/messages", data={"property": "casa-test", "phone": ANA, "body": "door code?", "csrf_token": token}
    )
    assert sent.status_code == 404 and inbound_count() == 0


def test_a_malformed_phone_is_refused(client: TestClient, prop: Property) -> None:
    add_user("host@example.com", role="staff")
    token = sign_in(client, "host@example.com", next="/simulator")
    response = client.post(
        "/simulator/messages", data={"property": "casa-test", "phone": "0611", "body": "hi", "csrf_token": token}
    )
    assert response.status_code == 422
    assert inbound_count() == 0


def test_the_demo_command_prints_a_working_sign_in(client: TestClient, prop: Property) -> None:
    result = concierge("users", "demo", "casa-test")
    assert result.returncode == 0, result.stderr
    email, password = result.stdout.strip().rsplit(": ", 1)[1].split(" / ")
    sign_in(client, email, password, next="/simulator")
    assert client.get("/simulator").status_code == 200
    again = concierge("users", "demo", "casa-test")  # a new password each run; the old one stops working
    assert again.returncode == 0 and password not in again.stdout
