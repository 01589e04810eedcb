"""Escalation email over a real SMTP server and signed webhooks to a real HTTP server, both on loopback."""

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlmodel import select

from concierge.conversation.models import Conversation
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from escalation import delivery
from escalation import service as escalation_service
from escalation.models import Notification, NotificationStatus
from knowledge.models import Property
from tests.factories import free_port, receive, smtp_server

SECRET = "webhook-secret"


class Inbox:
    """aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.messages.append({"to": envelope.rcpt_tos, "data": envelope.content.decode("utf-8", "replace")})
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    inbox = Inbox()
    with smtp_server(inbox) as controller:
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(controller.port))
        monkeypatch.setenv("NOTIFY_EMAIL_TO", "ops@example.com, host@example.com")
        get_settings.cache_clear()
        yield inbox


class Hooks:
    """A webhook receiver: scripted statuses, then 200; keeps every request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self.retry_after: str | None = None  # sent with every error status when set


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch) -> Iterator[Hooks]:
    received = Hooks()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.requests.append({"headers": dict(self.headers), "body": body})
            status = received.statuses.pop(0) if received.statuses else 200
            self.send_response(status)
            if status >= 400 and received.retry_after is not None:
                self.send_header("Retry-After", received.retry_after)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setenv("NOTIFY_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/hooks/escalations")
    monkeypatch.setenv("NOTIFY_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("NOTIFY_RETRY_BASE_SECONDS", "0")
    get_settings.cache_clear()
    yield received
    server.shutdown()
    server.server_close()


def escalate(prop: Property, body: str = "there is smoke in the kitchen", reason: str = "emergency") -> None:
    with session_scope() as s:
        message = receive(s, prop, body)
        assert message is not None
        conversation = s.get_one(Conversation, message.conversation_id)
        escalation_service.open_escalation(s, conversation=conversation, message_id=message.id, reason=reason)


def run_all(notifier: delivery.Notifier) -> None:
    while notifier.run_next():
        pass


def notifier() -> delivery.Notifier:
    return delivery.Notifier(get_settings(), now=utcnow)


def statuses() -> list[tuple[str, str, int]]:
    with session_scope() as s:
        return [(n.kind, n.status, n.attempts) for n in s.exec(select(Notification).order_by(Notification.id))]  # type: ignore[arg-type]


def test_escalation_email_reaches_every_address(smtp: Inbox, prop: Property) -> None:
    escalate(prop)
    run_all(notifier())
    assert sorted(m["to"][0] for m in smtp.messages) == ["host@example.com", "ops@example.com"]
    data = smtp.messages[0]["data"]
    assert "Subject: [EMERGENCIA] Casa Test" in data  # the property's language
    assert "/console/conversations/" in data and "smoke in the kitchen" not in data  # no guest words
    assert statuses() == [("email", "sent", 1), ("email", "sent", 1)]


def test_email_retries_when_the_server_is_down(monkeypatch: pytest.MonkeyPatch, prop: Property) -> None:
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(free_port()))  # nobody listens
    monkeypatch.setenv("NOTIFY_EMAIL_TO", "ops@example.com")
    get_settings.cache_clear()
    escalate(prop)
    assert notifier().run_next()
    [(kind, status, attempts)] = statuses()
    assert (kind, status, attempts) == ("email", NotificationStatus.pending, 1)


def test_webhook_is_signed_with_a_timestamp(hooks: Hooks, prop: Property) -> None:
    escalate(prop)
    run_all(notifier())
    [request] = hooks.requests
    headers, body = request["headers"], request["body"]
    assert delivery.verify(
        SECRET, headers[delivery.TIMESTAMP_HEADER], body, headers[delivery.SIGNATURE_HEADER], now=time.time()
    )
    assert not delivery.verify(
        "wrong-secret", headers[delivery.TIMESTAMP_HEADER], body, headers[delivery.SIGNATURE_HEADER], now=time.time()
    )
    assert not delivery.verify(  # a replay an hour later is refused
        SECRET, headers[delivery.TIMESTAMP_HEADER], body, headers[delivery.SIGNATURE_HEADER], now=time.time() + 3600
    )
    payload = json.loads(body)
    assert payload["event"] == "escalation.opened" and payload["urgency"] == "emergency"
    assert "/console/conversations/" in payload["console_url"]
    assert "smoke" not in body.decode() and "+34611111111" not in body.decode()  # no guest text or phone leaves
    assert statuses() == [("webhook", "sent", 1)]


def test_webhook_is_retried_on_5xx_then_delivered_once(hooks: Hooks, prop: Property) -> None:
    hooks.statuses = [500, 503]
    escalate(prop)
    run_all(notifier())
    assert len(hooks.requests) == 3
    assert statuses() == [("webhook", "sent", 3)]


def test_webhook_4xx_is_a_permanent_failure(hooks: Hooks, prop: Property) -> None:
    hooks.statuses = [410]
    escalate(prop)
    run_all(notifier())
    assert len(hooks.requests) == 1
    assert statuses() == [("webhook", "failed", 1)]


def test_webhook_gives_up_after_max_attempts(hooks: Hooks, monkeypatch: pytest.MonkeyPatch, prop: Property) -> None:
    monkeypatch.setenv("NOTIFY_MAX_ATTEMPTS", "2")
    get_settings.cache_clear()
    hooks.statuses = [500, 500, 500]
    escalate(prop)
    run_all(notifier())
    assert len(hooks.requests) == 2
    assert statuses() == [("webhook", "failed", 2)]


def test_unsigned_webhooks_are_never_queued(monkeypatch: pytest.MonkeyPatch, prop: Property) -> None:
    monkeypatch.setenv("NOTIFY_WEBHOOK_URL", "http://127.0.0.1:9/hooks")
    get_settings.cache_clear()
    escalate(prop)
    assert statuses() == []


def test_webhook_rate_limit_waits_for_retry_after(hooks: Hooks, prop: Property) -> None:
    hooks.statuses, hooks.retry_after = [429], "120"
    escalate(prop)
    before = utcnow()
    assert notifier().run_next()
    with session_scope() as s:
        row = s.exec(select(Notification)).one()
        assert (row.status, row.attempts, row.last_error) == (NotificationStatus.pending, 1, "HTTP 429")
        assert row.next_attempt_at >= before + timedelta(seconds=120)


def test_webhook_retry_waits_a_full_jitter_backoff(
    hooks: Hooks, monkeypatch: pytest.MonkeyPatch, prop: Property
) -> None:
    monkeypatch.setenv("NOTIFY_RETRY_BASE_SECONDS", "8")
    get_settings.cache_clear()
    hooks.statuses = [503]
    escalate(prop)
    now = utcnow()
    assert delivery.Notifier(get_settings(), now=lambda: now, rng=lambda: 0.75).run_next()
    with session_scope() as s:
        assert s.exec(select(Notification)).one().next_attempt_at == now + timedelta(seconds=6)  # 3/4 of 8 s
