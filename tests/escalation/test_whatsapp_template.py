"""The approved WhatsApp template after the 24-hour window: pack config, the outbox send, failures surfaced."""

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select

from concierge.channels.sender import Sender
from concierge.channels.twilio import store_status
from concierge.conversation.models import Conversation, Outbox, OutboxStatus
from concierge.core.db import session_scope
from concierge.core.errors import InvalidInput
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from escalation import staff as staff_service
from knowledge import service as knowledge_service
from knowledge.models import Property
from knowledge.pack import parse_pack
from tests.factories import ANA, PROPERTY_NUMBER, local_twilio, make_property, pack_data, store
from tests.fakes.twilio_api import FakeTwilio

GUEST = f"whatsapp:{ANA}"
TEMPLATE = {
    "content_sid": "HX" + "0123456789abcdef" * 2,
    "variables": {"1": "{guest_name}", "2": "{property_name}"},
    "preview": "Hi {{1}}, this is {{2}}. Reply to this message to continue our conversation.",
}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    with local_twilio(monkeypatch) as fake:
        yield fake


def guest_wrote(prop: Property, *, channel: str = "whatsapp") -> int:
    """Ana wrote 30 hours ago (on WhatsApp: the 24-hour window is closed); the conversation's id."""
    to = ("whatsapp:" if channel == "whatsapp" else "") + PROPERTY_NUMBER
    return store(prop, "hola", channel=channel, to=to, at=utcnow() - timedelta(hours=30)).conversation_id


def test_template_round_trips_through_the_pack(database_url: str) -> None:
    make_property(whatsapp_template=TEMPLATE)
    with session_scope() as s:
        exported = knowledge_service.export_pack(s, slug="casa-test")
    assert exported.whatsapp_template is not None
    assert exported.whatsapp_template.model_dump() == TEMPLATE


def test_packs_without_a_template_still_import(database_url: str) -> None:
    prop = make_property()
    assert prop.whatsapp_template == {}
    assert staff_service.template_for(prop) is None


def test_bad_template_config_is_reported_with_its_path() -> None:
    bad = {"content_sid": "SM123", "variables": {"1": "{guest_phone}"}}
    with pytest.raises(InvalidInput) as caught:
        parse_pack(pack_data(whatsapp_template=bad))
    problems = " | ".join(caught.value.problems)
    assert "whatsapp_template.content_sid" in problems
    assert "whatsapp_template.variables" in problems and "{guest_phone}" in problems


def test_template_reaches_twilio_with_content_sid_and_variables_after_the_window(fake: FakeTwilio) -> None:
    prop = make_property(whatsapp_template=TEMPLATE)
    conversation_id = guest_wrote(prop)
    now = utcnow()
    with session_scope() as s:
        conversation = s.get_one(Conversation, conversation_id)
        assert not staff_service.whatsapp_window_open(s, conversation=conversation, now=now)
        with pytest.raises(staff_service.WindowClosed):
            staff_service.staff_reply(s, conversation_id=conversation_id, staff_id="7", body="hi", now=now)
    with session_scope() as s:
        staff_service.send_template(s, conversation_id=conversation_id, staff_id="7", now=now)
    sender = Sender(get_settings(), now=utcnow)
    while sender.send_next():
        pass
    [sent] = fake.messages
    assert sent["to"] == GUEST and sent["from_"] == "whatsapp:+15005550006"
    assert sent["content_sid"] == TEMPLATE["content_sid"]
    assert json.loads(sent["content_variables"]) == {"1": "Ana", "2": "Casa Test"}
    with session_scope() as s:
        row = s.exec(select(Outbox)).one()
        assert row.status == OutboxStatus.sent and row.author == "staff"
        assert row.body == "Hi Ana, this is Casa Test. Reply to this message to continue our conversation."
        assert s.get_one(Conversation, conversation_id).owner == "staff:7"


def test_no_template_configured_or_not_whatsapp_is_refused(database_url: str) -> None:
    prop = make_property()
    conversation_id = guest_wrote(prop)
    with session_scope() as s, pytest.raises(staff_service.NoTemplate):
        staff_service.send_template(s, conversation_id=conversation_id, staff_id="7", now=utcnow())
    sms = guest_wrote(prop, channel="sms")
    with session_scope() as s, pytest.raises(InvalidInput):
        staff_service.send_template(s, conversation_id=sms, staff_id="7", now=utcnow())
    with session_scope() as s:
        assert s.exec(select(Outbox)).all() == []


def test_a_63016_status_callback_is_listed_as_a_delivery_problem(fake: FakeTwilio) -> None:
    prop = make_property()
    conversation_id = guest_wrote(prop)
    with session_scope() as s:
        staff_service.staff_reply(
            s, conversation_id=conversation_id, staff_id="7", body="hola", now=utcnow() - timedelta(hours=29)
        )
    sender = Sender(get_settings(), now=utcnow)
    assert sender.send_next()
    with session_scope() as s:
        row = s.exec(select(Outbox)).one()
        assert staff_service.delivery_problems(s, conversation_id=conversation_id) == {}
    with session_scope() as s:
        store_status(
            s, {"MessageSid": row.twilio_sid or "", "MessageStatus": "undelivered", "ErrorCode": "63016"}, row.id
        )
    with session_scope() as s:
        problems = staff_service.delivery_problems(s, conversation_id=conversation_id)
        assert [(p.message_id, p.error_code) for p in problems.values()] == [(row.message_id, "63016")]
