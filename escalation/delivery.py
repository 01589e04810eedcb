"""Deliver escalation emails (SMTP) and signed webhooks with retries; run the SLA timers."""

import hashlib
import hmac
import json
import logging
import random
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import requests
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from concierge.core.db import session_scope
from concierge.core.settings import Settings
from escalation import notify
from escalation.models import Notification, NotificationStatus

log = logging.getLogger(__name__)

RETRYABLE_HTTP = frozenset({408, 425, 429, 500, 502, 503, 504})
SIGNATURE_HEADER = "X-Concierge-Signature"
TIMESTAMP_HEADER = "X-Concierge-Timestamp"
TIMEOUT_SECONDS = 10.0


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


def _due_notifications(now: datetime) -> SelectOfScalar[Notification]:
    return (
        select(Notification)
        .where(Notification.status == NotificationStatus.pending, col(Notification.next_attempt_at) <= now)
        .order_by(col(Notification.id))
        .limit(1)
    )


def notification_due(session: Session, *, now: datetime) -> bool:
    """Whether `claim_notification` would find one (a read: on SQLite it does not take the write lock)."""
    return session.exec(_due_notifications(now)).first() is not None


def claim_notification(session: Session, *, now: datetime, lease_seconds: float) -> Claimed | None:
    """Claim the next due email or webhook; its next attempt moves past the lease so no one else takes it."""
    row = session.exec(_due_notifications(now).with_for_update(skip_locked=True)).first()
    if row is None:
        return None
    row.attempts += 1
    row.next_attempt_at = now + timedelta(seconds=lease_seconds)
    session.flush()
    assert row.id is not None
    return Claimed(id=row.id, kind=row.kind, target=row.target, payload=dict(row.payload), attempts=row.attempts)


def record_outcome(
    session: Session, *, notification_id: int, outcome: Outcome, now: datetime, retry_delay: float | None
) -> None:
    """Mark a notification sent, failed, or due again after `retry_delay` seconds."""
    row = session.get_one(Notification, notification_id)
    row.last_error = outcome.error[:500] or None
    if outcome.kind == "sent":
        row.status = NotificationStatus.sent
        row.sent_at = now
    elif outcome.kind == "retry" and retry_delay is not None:
        row.next_attempt_at = now + timedelta(seconds=retry_delay)
    else:
        row.status = NotificationStatus.failed
    session.flush()


class Notifier:
    """The worker's escalation loop: SLA rounds, then one email or webhook delivery per step."""

    def __init__(self, settings: Settings, now: Callable[[], datetime]) -> None:
        self.settings = settings
        self.now = now

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
        retry_delay = None
        if outcome.kind == "retry" and claimed.attempts < self.settings.notify_max_attempts:
            base = self.settings.notify_retry_base_seconds * float(2 ** (claimed.attempts - 1))
            retry_delay = min(base, 3600.0) * random.uniform(0.8, 1.2)
        with session_scope() as session:
            record_outcome(
                session, notification_id=claimed.id, outcome=outcome, now=self.now(), retry_delay=retry_delay
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
                    smtp.login(settings.smtp_username, settings.smtp_password)
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
        secret = self.settings.notify_webhook_secret
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
        kind = "retry" if response.status_code in RETRYABLE_HTTP else "failed"
        return Outcome(kind, f"HTTP {response.status_code}")
