"""Privacy: Sentry events built by the real SDK carry no bodies or phone numbers; retention; the audit log."""

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sentry_sdk
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport
from sqlmodel import select

from concierge.conversation import service
from concierge.conversation.models import Message, Outbox, OutboxStatus
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.core.observability import configure_sentry
from concierge.core.settings import Settings
from concierge.guard import privacy as guard_service
from concierge.ops import retention
from escalation.models import Escalation
from knowledge.models import Property
from tests.factories import ANA, add_user, ask, concierge

BODY = "my door code question, I am Ana at Carrer de la Reina"
PHONE = ANA


class CapturingTransport(Transport):
    """Keeps every envelope the SDK would have sent; nothing leaves the process."""

    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def events(self) -> list[dict[str, Any]]:
        return [item.payload.json for e in self.envelopes for item in e.items if item.payload.json]


@pytest.fixture
def sentry() -> Iterator[CapturingTransport]:
    transport = CapturingTransport()
    assert configure_sentry(Settings(sentry_dsn="https://public@sentry.invalid/1"), transport=transport)
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # a disabled client for the rest of the run


def webhook_like_app() -> FastAPI:
    app = FastAPI()

    @app.post("/twilio/messages")
    async def boom(request: Request) -> None:
        form = await request.form()
        message_body = str(form["Body"])  # a local variable holding the body: must not be captured
        raise RuntimeError(f"turn failed for {form['From']} " + ("x" if message_body else ""))

    return app


def test_sentry_event_from_a_failing_webhook_has_no_body_or_phone(sentry: CapturingTransport) -> None:
    client = TestClient(webhook_like_app(), raise_server_exceptions=False)
    response = client.post(
        "/twilio/messages?To=%2B15005550006",
        data={"Body": BODY, "From": PHONE, "To": "+15005550006"},
        headers={"X-Twilio-Signature": "sig", "Cookie": "session=cookie-secret-zq"},
    )
    assert response.status_code == 500
    sentry_sdk.flush()
    events = [e for e in sentry.events() if e.get("exception")]
    assert events, "the SDK captured the exception"
    dumped = json.dumps(events)
    assert "Carrer de la Reina" not in dumped and "611111111" not in dumped and "5005550006" not in dumped
    # A distinctive cookie value: the event's release is a git SHA, which may contain any short hex string.
    assert "cookie-secret-zq" not in dumped and '"sig"' not in dumped
    request = events[0].get("request", {})
    assert "data" not in request and "query_string" not in request
    frames = events[0]["exception"]["values"][0]["stacktrace"]["frames"]
    assert all("vars" not in frame for frame in frames)


def test_sentry_scrubs_extra_context_and_breadcrumbs(sentry: CapturingTransport) -> None:
    sentry_sdk.add_breadcrumb(category="httplib", message="POST", data={"url": "x", "Body": BODY})
    with sentry_sdk.new_scope() as scope:
        scope.set_extra("body", BODY)
        scope.set_extra("reply", BODY)
        scope.set_context("guest", {"guest_address": f"whatsapp:{PHONE}", "content": BODY})
        sentry_sdk.capture_message(f"delivery failed to {PHONE}")
    sentry_sdk.flush()
    dumped = json.dumps(sentry.events())
    assert "delivery failed to [phone]" in dumped
    assert BODY not in dumped and "611111111" not in dumped


def test_purge_blanks_old_bodies_and_their_copies(prop: Property) -> None:
    ask(prop, "I want a refund, the flat is dirty")  # message, reply (outbox, sent later) and escalation detail
    old = utcnow() - timedelta(days=400)
    with session_scope() as s:
        for row in [*s.exec(select(Message)).all(), *s.exec(select(Escalation)).all()]:
            row.created_at = old
        for outbox in s.exec(select(Outbox)).all():
            outbox.created_at, outbox.status = old, OutboxStatus.delivered
    ask(prop, "wifi?")  # recent: kept
    result = concierge("purge", "--days", "365")
    assert result.returncode == 0, result.stderr
    # the guest's message, the bot's reply and the staff alert quoting it; their two outbox copies
    assert "purged 3 message bodies, 2 outbox copies, 1 escalation details" in result.stdout
    with session_scope() as s:
        bodies = [m.body for m in s.exec(select(Message).order_by(Message.id)).all()]  # type: ignore[arg-type]
        assert bodies[:3] == ["", "", ""] and bodies[3] == "wifi?" and bodies[4]
        assert [e.detail for e in s.exec(select(Escalation)).all()] == [""]


def test_purge_keeps_undelivered_outbox_bodies(prop: Property) -> None:
    ask(prop, "wifi?")
    with session_scope() as s:
        outbox = s.exec(select(Outbox)).one()
        outbox.created_at = utcnow() - timedelta(days=400)
    with session_scope() as s:
        purged = retention.purge_bodies(s, before=utcnow() - timedelta(days=365))
    assert purged.outbox == 0  # still pending: the guest has not received it yet


def test_record_access_writes_the_audit_log(prop: Property) -> None:
    ask(prop, "hola")
    staff = add_user("staff-a@example.com", role="staff", properties=(prop.slug,))
    with session_scope() as s:
        conversation_id = service.find_conversation(s, property_id=prop.id or 0, channel="sms", guest_address=PHONE).id  # type: ignore[union-attr]
        assert conversation_id is not None
        guard_service.record_access(s, user_id=staff.id, action="view", conversation_id=conversation_id)
        guard_service.record_access(s, user_id=staff.id, action="view", conversation_id=conversation_id + 1)
    with session_scope() as s:
        entries = guard_service.audit_log(s, conversation_id=conversation_id)
        assert [(e.user_id, e.action, e.target) for e in entries] == [
            (staff.id, "conversation.view", f"conversation:{conversation_id}")
        ]
