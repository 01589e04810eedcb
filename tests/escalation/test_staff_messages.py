"""What staff are sent carries no guest words: a phishing message cannot reach the team through the alerts.

A guest writes a link and an "ADMIN NOTICE"; the staff SMS (through the local Twilio fake), the email (a real SMTP
server on loopback) and the signed webhook (a real HTTP server on loopback) carry the reason in words, the urgency,
the property, the guest's first name from the booking and the console link, and nothing else that links anywhere.
"""

import email
import email.policy
import json
import re
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlmodel import select

from concierge.channels.sender import Sender
from concierge.conversation import service
from concierge.conversation.models import Conversation
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from escalation import delivery, notify
from escalation import service as escalation_service
from escalation.models import Escalation
from knowledge.models import Property
from tests.factories import ACCOUNT_SID, AUTH_TOKEN, make_property, pack_data, smtp_server
from tests.fakes.twilio_api import FakeTwilio

GUEST = "+34611111111"  # Ana López's booking
STAFF = "+34600000001"
PHISH = (
    "talk to a person. ADMIN NOTICE: your concierge account is suspended, "
    "sign in again at https://evil.example/login?next=console within 1 hour"
)
GUEST_WORDS = ("ADMIN", "NOTICE", "suspended", "sign in", "evil.example", "talk to a person", "within 1 hour")
LINK = re.compile(r"(?:https?://|www\.)[^\s\"'<>]+", re.IGNORECASE)


class Inbox:
    """aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[str] = []  # subject and body of each email

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(f"{message['Subject']}\n{message.get_content()}")  # decoded: what staff read
        return "250 OK"


@pytest.fixture
def channels(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeTwilio, Inbox, list[bytes]]]:
    """Twilio fake, SMTP server and webhook receiver, all on loopback, configured as the staff channels."""
    inbox, hooks = Inbox(), []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            hooks.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    with smtp_server(inbox) as smtp, FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as fake:
        for key, value in {
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_API_BASE_URL": fake.base_url,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp.port),
            "NOTIFY_EMAIL_TO": "ops@example.com",
            "NOTIFY_WEBHOOK_URL": f"http://127.0.0.1:{server.server_port}/hooks",
            "NOTIFY_WEBHOOK_SECRET": "secret",
            "PUBLIC_URL": "https://concierge.example.com",
        }.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        yield fake, inbox, hooks
    server.shutdown()
    server.server_close()


def escalate(prop: Property, body: str, *, guest: str = GUEST, reason: str = "human_requested") -> int:
    with session_scope() as s:
        message = service.receive(
            s, prop=prop, channel="sms", guest_address=guest, property_address="+15005550006", body=body, now=utcnow()
        )
        assert message is not None
        conversation = s.get_one(Conversation, message.conversation_id)
        escalation = escalation_service.open_escalation(
            s, conversation=conversation, message_id=message.id, reason=reason
        )
        assert escalation is not None and escalation.id is not None
        return escalation.id


def deliver_everything() -> None:
    sender, notifier = Sender(get_settings(), now=utcnow), delivery.Notifier(get_settings(), now=utcnow)
    while sender.send_next() or notifier.run_next():
        pass


def assert_safe(text: str, *, conversation_id: int) -> None:
    """No guest words, and no link but ours to the conversation."""
    for words in GUEST_WORDS:
        assert words.lower() not in text.lower(), words
    console = f"https://concierge.example.com/console/conversations/{conversation_id}"
    assert LINK.findall(text) == [console], text


def test_staff_sms_email_and_webhook_carry_no_guest_text(
    channels: tuple[FakeTwilio, Inbox, list[bytes]], prop: Property
) -> None:
    fake, inbox, hooks = channels
    escalation_id = escalate(prop, PHISH)
    deliver_everything()
    with session_scope() as s:
        conversation_id = s.get_one(Escalation, escalation_id).conversation_id
    [sms] = [m for m in fake.messages if m["to"] == STAFF]
    assert sms["from_"] == "+15005550006"  # the property's own number: all the more reason to say nothing of hers
    assert_safe(sms["body"], conversation_id=conversation_id)
    assert "Casa Test" in sms["body"] and "el huésped pidió hablar con una persona" in sms["body"]  # reason in words
    assert "Prioridad alta" in sms["body"] or "prioridad" in sms["body"].lower()  # urgency
    assert "Ana" in sms["body"] and "López" not in sms["body"]  # the first name only
    [email] = inbox.messages
    assert_safe(email, conversation_id=conversation_id)
    assert "Casa Test" in email and "Ana" in email
    [hook] = hooks
    payload = json.loads(hook)
    assert_safe(json.dumps(payload, ensure_ascii=False), conversation_id=conversation_id)
    assert payload["guest_first_name"] == "Ana" and payload["property_name"] == "Casa Test"
    assert payload["reason"] == "human_requested" and payload["reason_text"] and payload["urgency"] == "high"


def test_reminders_carry_no_guest_text_either(channels: tuple[FakeTwilio, Inbox, list[bytes]], prop: Property) -> None:
    fake, inbox, hooks = channels
    escalation_id = escalate(prop, PHISH)
    with session_scope() as s:
        escalation = s.get_one(Escalation, escalation_id)
        notify.send_round(s, escalation=escalation, now=utcnow())  # the SLA ran out: the reminder round
        conversation_id = escalation.conversation_id
    deliver_everything()
    staff = [m["body"] for m in fake.messages if m["to"] == STAFF]
    assert len(staff) == 2 and any("Recordatorio" in body for body in staff)
    for text in [*staff, *inbox.messages, *(json.dumps(json.loads(h), ensure_ascii=False) for h in hooks)]:
        assert_safe(text, conversation_id=conversation_id)


def test_a_name_that_is_not_a_name_is_left_out(channels: tuple[FakeTwilio, Inbox, list[bytes]]) -> None:
    fake, _inbox, hooks = channels
    data = pack_data()
    data["reservations"][0]["guest_name"] = "https://evil.example/x Smith"
    prop = make_property(reservations=data["reservations"])
    escalate(prop, "my friend wants the door code", reason="no_answer")
    deliver_everything()
    [sms] = [m for m in fake.messages if m["to"] == STAFF]
    assert "evil.example" not in sms["body"] and "Smith" not in sms["body"]
    assert json.loads(hooks[0])["guest_first_name"] is None


def test_a_guest_without_a_booking_is_not_named(
    channels: tuple[FakeTwilio, Inbox, list[bytes]], prop: Property
) -> None:
    fake, _inbox, _hooks = channels
    escalation_id = escalate(prop, PHISH, guest="+34699999999")
    deliver_everything()
    with session_scope() as s:
        assert s.exec(select(Escalation)).one().id == escalation_id
    [sms] = [m for m in fake.messages if m["to"] == STAFF]
    assert "Huésped:" not in sms["body"]
