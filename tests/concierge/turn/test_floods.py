"""A flood of messages: past the rate limit one escalation holds everything the bot no longer answers."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlmodel import col, select

from concierge.app import create_app
from concierge.conversation import service
from concierge.conversation.models import Message
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.turn.runner import TurnRunner
from escalation import queue as queue_service
from escalation import service as escalation_service
from escalation.models import FLOOD_REASON, Escalation
from knowledge.models import Property
from tests.factories import PASSWORD, add_user, csrf_of

GUEST = "+34611111111"
QUESTIONS = [
    "hola",
    "wifi??",
    "the wifi password please",
    "where do we park",
    "is the pool open",
    "what time is check in",
    "hello??",
    "anyone there",
    "can you answer me",
    "the tv doesn't turn on",
]


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        yield c


def guest_says(prop: Property, body: str) -> int:
    with session_scope() as s:
        message = service.receive(
            s, prop=prop, channel="sms", guest_address=GUEST, property_address="+15005550006", body=body, now=utcnow()
        )
        assert message is not None
        conversation_id = message.conversation_id
    assert TurnRunner(get_settings()).run_next()
    return conversation_id


def test_thirty_messages_open_one_escalation_and_every_message_is_in_the_console(
    client: TestClient, prop: Property
) -> None:
    bodies = [f"{QUESTIONS[i % len(QUESTIONS)]} ({i + 1})" for i in range(30)]
    conversation_id = 0
    for body in bodies:
        conversation_id = guest_says(prop, body)
    with session_scope() as s:
        [escalation] = s.exec(select(Escalation)).all()  # the unanswered TV question opened it; the flood joins
        assert escalation.urgency == "normal"
        floods = [r for r in escalation.raised() if r.reason == FLOOD_REASON]
        assert len(floods) == 1  # one per flood, not one per message
        assert s.get_one(Message, floods[0].message_id).body == bodies[20]  # the first message over the limit
        assert escalation.top() == floods[0]
        [entry] = queue_service.queue_entries(s, property_ids=[prop.id or 0])
        assert entry.reason == FLOOD_REASON

    add_user("marta@example.com", role="staff", properties=("casa-test",))
    token = csrf_of(client.get("/login").text)
    data = {"email": "marta@example.com", "password": PASSWORD, "csrf_token": token, "next": "/console"}
    assert client.post("/login", data=data).status_code == 200
    assert "many messages from this guest" in client.get("/console").text
    page = client.get(f"/console/conversations/{conversation_id}").text
    assert [body for body in bodies if str(escape(body)) not in page] == []


def test_an_emergency_in_a_flood_is_still_answered(prop: Property) -> None:
    for i in range(25):
        guest_says(prop, f"{QUESTIONS[i % len(QUESTIONS)]} ({i + 1})")
    guest_says(prop, "there is smoke coming from the oven, I think it's on fire")
    with session_scope() as s:
        reply = s.exec(select(Message).where(Message.direction == "out").order_by(Message.id.desc())).first()  # type: ignore[union-attr]
        assert reply is not None and "112" in reply.body
        [flood] = s.exec(select(Escalation)).all()
        assert flood.top().reason == "policy:fire"


def test_a_new_flood_after_a_hand_back_opens_a_new_escalation(prop: Property, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "2")
    get_settings.cache_clear()
    for body in ["hello?", "hello??", "hello???"]:
        conversation_id = guest_says(prop, body)
    with session_scope() as s:
        [first] = s.exec(select(Escalation)).all()
        assert first.reason == FLOOD_REASON
        escalation_service.hand_back(s, conversation_id=conversation_id, staff_id="7", note="called her", now=utcnow())
        for message in s.exec(select(Message)).all():  # the first flood is long past
            message.created_at = utcnow() - timedelta(hours=2)
    for body in ["hello?", "hello??", "hello???"]:  # the same words: still a new flood, never "already handled"
        guest_says(prop, body)
    with session_scope() as s:
        reasons = [(e.reason, e.status) for e in s.exec(select(Escalation).order_by(col(Escalation.id))).all()]
    assert reasons == [(FLOOD_REASON, "resolved"), (FLOOD_REASON, "open")]
