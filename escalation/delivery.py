"""Deliver escalation emails (SMTP) and signed webhooks with retries; run the SLA timers."""

import hashlib
import hmac
import json
import logging
import random
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

import requests
from sqlmodel import Session

from concierge.core import queue
from concierge.core.backoff import Backoff
from concierge.core.db import session_scope
from concierge.core.settings import Settings, reveal
from escalation import notify
from escalation.models import Notification, NotificationStatus

log = logging.getLogger(__name__)

RETRYABLE_HTTP = frozenset({408, 425, 429, 500, 502, 503, 504})
SIGNATURE_HEADER = "X-Concierge-Signature"
TIMESTAMP_HEADER = "X-Concierge-Timestamp"
TIMEOUT_SECONDS = 10.0
RETRY_CAP_SECONDS = 3600.0  # retries spread over hours, never more than an hour apart

NOTIFICATIONS = queue.Queue(
    table=Notification,
    pending=NotificationStatus.pending,
    failed=NotificationStatus.failed,
    due_at="next_attempt_at",  # a claim moves it past the lease: no other worker takes the row meanwhile
    error="last_error",
)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The webhook signature: hex HMAC-SHA256 of "<timestamp>.<body>" with the shared secret."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now: float, tolerance: float = 300) -> bool:
    """How a receiver checks a webhook: the signature matches and the timestamp is recent (no replays)."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    target: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class Outcome:
    kind: str  # "sent", "retry", "failed"
    error: str = ""
    retry_after: str | None = None  # the webhook receiver's Retry-After header (a 429 or 503 says when to come back)


def notification_due(session: Session, *, now: datetime) -> bool:
    """Whether `claim_notification` would find one (a read: on SQLite it does not take the write lock)."""
    return queue.is_due(session, NOTIFICATIONS, now=now)


def claim_notification(session: Session, *, now: datetime, lease_seconds: float) -> Claimed | None:
    """Claim the next due email or webhook; its next attempt moves past the lease so no one else takes it."""
    row = queue.claim(session, NOTIFICATIONS, now=now, lease_seconds=lease_seconds)
    if row is None:
        return None
    assert row.id is not None
    return Claimed(id=row.id, kind=row.kind, target=row.target, payload=dict(row.payload), attempts=row.attempts)


def record_outcome(
    session: Session, *, claimed: Claimed, outcome: Outcome, now: datetime, max_attempts: int, backoff: Backoff
) -> bool:
    """Mark a notification sent or failed, or due again after a backoff while attempts remain (True)."""
    error = outcome.error or None
    if outcome.kind == "sent":
        values = {"sent_at": now, "last_error": error}
        queue.finish(session, NOTIFICATIONS, row_id=claimed.id, status=NotificationStatus.sent, values=values)
        return False
    if outcome.kind != "retry":
        queue.fail(session, NOTIFICATIONS, row_id=claimed.id, error=error)
        return False
    return queue.retry_or_fail(
        session,
        NOTIFICATIONS,
        row_id=claimed.id,
        attempts=claimed.attempts,
        max_attempts=max_attempts,
        error=error,
        now=now,
        backoff=backoff,
        retry_after=outcome.retry_after,
    )


class Notifier:
    """The worker's escalation loop: SLA rounds, then one email or webhook delivery per step."""

    def __init__(
        self, settings: Settings, now: Callable[[], datetime], rng: Callable[[], float] = random.random
    ) -> None:
        self.settings = settings
        self.now = now
        self.backoff = Backoff(base=settings.notify_retry_base_seconds, cap=RETRY_CAP_SECONDS, rng=rng)

    def run_next(self) -> bool:
        """Run due SLA rounds and deliver one due notification; False when there was nothing to do."""
        now = self.now()
        with session_scope(readonly=True) as session:  # woken after every turn: usually nothing is due
            sla_due, notifying = notify.sla_due(session, now=now), notification_due(session, now=now)
        rounds, claimed = 0, None
        if sla_due:
            with session_scope() as session:
                rounds = notify.check_sla(session, now=self.now())
        if notifying:
            with session_scope() as session:
                claimed = claim_notification(session, now=self.now(), lease_seconds=2 * TIMEOUT_SECONDS + 5)
        if claimed is None:
            return rounds > 0
        outcome = self._deliver(claimed)
        with session_scope() as session:
            record_outcome(
                session,
                claimed=claimed,
                outcome=outcome,
                now=self.now(),
                max_attempts=self.settings.notify_max_attempts,
                backoff=self.backoff,
            )
        log.info(
            "notification attempt",
            extra={
                "notification_id": claimed.id,
                "kind": claimed.kind,
                "attempt": claimed.attempts,
                "outcome": outcome.kind,
            },
        )
        return True

    def _deliver(self, claimed: Claimed) -> Outcome:
        if claimed.kind == "email":
            return self._email(claimed)
        if claimed.kind == "webhook":
            return self._webhook(claimed)
        return Outcome("failed", f"unknown kind {claimed.kind}")

    def _email(self, claimed: Claimed) -> Outcome:
        settings = self.settings
        if not settings.smtp_host:
            return Outcome("failed", "SMTP_HOST is not configured")
        message = EmailMessage()
        message["From"] = settings.smtp_from
        message["To"] = claimed.target
        message["Subject"] = claimed.payload.get("subject", "Escalation")
        message.set_content(claimed.payload.get("text", ""))
        try:
            with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
                if settings.smtp_starttls:
                    smtp.starttls()
                if settings.smtp_username and settings.smtp_password:
                    smtp.login(settings.smtp_username, reveal(settings.smtp_password) or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            return Outcome("failed", f"recipient refused: {type(exc).__name__}")
        except smtplib.SMTPResponseException as exc:
            # 5xx is permanent in SMTP; 4xx is a temporary refusal worth retrying.
            return Outcome("failed" if exc.smtp_code >= 500 else "retry", f"SMTP {exc.smtp_code}")
        except (smtplib.SMTPException, OSError) as exc:
            return Outcome("retry", type(exc).__name__)
        return Outcome("sent")

    def _webhook(self, claimed: Claimed) -> Outcome:
        secret = reveal(self.settings.notify_webhook_secret)
        if not secret:
            return Outcome("failed", "NOTIFY_WEBHOOK_SECRET is not configured")
        body = json.dumps(claimed.payload, sort_keys=True, separators=(",", ":")).encode()
        timestamp = int(self.now().timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "guest-concierge",
            "X-Concierge-Event": str(claimed.payload.get("event", "")),
            "X-Concierge-Delivery": str(claimed.id),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret, timestamp, body),
        }
        try:
            response = requests.post(claimed.target, data=body, headers=headers, timeout=TIMEOUT_SECONDS)
        except requests.RequestException as exc:
            return Outcome("retry", type(exc).__name__)
        if 200 <= response.status_code < 300:
            return Outcome("sent")
        if response.status_code in RETRYABLE_HTTP:
            return Outcome("retry", f"HTTP {response.status_code}", retry_after=response.headers.get("Retry-After"))
        return Outcome("failed", f"HTTP {response.status_code}")
