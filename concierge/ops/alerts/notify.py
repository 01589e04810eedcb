"""Tell admins about an alert through the escalation channels: SMS on the outbox, email and webhook rows.

Recipients: ALERT_SMS_TO numbers get an SMS from the first SMS number of the first property (a thread the bot
never answers); email goes to ALERT_EMAIL_TO, else NOTIFY_EMAIL_TO, else every admin user, when SMTP is set;
the signed webhook gets an `alert.fired` / `alert.resolved` event. All rows are written in the caller's
transaction, so an alert is queued exactly when its state change commits.
"""

import logging
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from concierge.conversation import service as conversation_service
from concierge.conversation.models import Author, Channel, Conversation, Owner
from concierge.core.settings import Settings
from concierge.i18n import N_, gettext_for
from concierge.ops.alerts.service import Change
from concierge.users import service as users_service
from escalation.models import Notification
from knowledge.models import PropertyNumber

log = logging.getLogger(__name__)

LABELS = {
    "fallback_rate": N_("fallback rate"),
    "output_checks": N_("replies blocked by output checks"),
    "outbox_age": N_("seconds the oldest reply has waited in the outbox"),
    "unclaimed_escalations": N_("escalations nobody has claimed"),
}


def alert_text(change: Change, *, language: str, window_minutes: float, link: str) -> str:
    """The alert as an admin reads it, in their language."""
    _ = gettext_for(language)
    m = change.measure
    values = {
        "alert": _(LABELS[m.kind]),
        "value": f"{m.value:g}",
        "threshold": f"{m.threshold:g}",
        "minutes": f"{window_minutes:g}",
        "link": link,
    }
    if change.event == "resolved":
        return _("Resolved: %(alert)s is %(value)s again, within the threshold of %(threshold)s.", **values)
    return _(
        "Alert: %(alert)s is %(value)s, over the threshold of %(threshold)s (last %(minutes)s minutes). %(link)s",
        **values,
    )


def _recipients(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _emails(session: Session, settings: Settings) -> list[str]:
    explicit = _recipients(settings.alert_email_to) or _recipients(settings.notify_email_to)
    if explicit:
        return explicit
    return users_service.admin_emails(session)


def _sender(session: Session) -> tuple[int, str] | None:
    """The property and SMS number alerts are sent from: the first property's first SMS number."""
    rows = session.exec(
        select(PropertyNumber.property_id, PropertyNumber.number).order_by(
            col(PropertyNumber.property_id), col(PropertyNumber.id)
        )
    )
    return next(((p, n) for p, n in rows if ":" not in n), None)


def _sms(session: Session, *, to: str, body: str, language: str, now: datetime) -> bool:
    sender = _sender(session)
    if sender is None:
        log.warning("no SMS number to send alerts from")
        return False
    property_id, number = sender
    thread = conversation_service.find_conversation(
        session, property_id=property_id, channel=Channel.sms, guest_address=to
    )
    if thread is None:
        thread = Conversation(
            property_id=property_id, channel=Channel.sms, guest_address=to, property_address=number, owner=Owner.alerts
        )
        session.add(thread)
        session.flush()
    conversation_service.enqueue_reply(
        session, conversation=thread, body=body, author=Author.system, now=now, language=language
    )
    return True


def notify_admins(session: Session, *, changes: list[Change], settings: Settings, now: datetime) -> int:
    """Queue each change for every configured admin channel; returns how many messages were queued."""
    queued = 0
    language = settings.alert_language
    link = f"{settings.public_url.rstrip('/')}/console"
    emails = _emails(session, settings) if settings.smtp_host else []
    for change in changes:
        m = change.measure
        text = alert_text(change, language=language, window_minutes=settings.alert_window_minutes, link=link)
        for phone in _recipients(settings.alert_sms_to):
            queued += _sms(session, to=phone, body=text, language=language, now=now)
        for address in emails:
            email = {"subject": f"[concierge] {text.split(':', 1)[0]}: {m.kind}", "text": f"{text}\n\n{m.detail}"}
            session.add(Notification(kind="email", target=address, payload=email, next_attempt_at=now, created_at=now))
            queued += 1
        if settings.notify_webhook_url and settings.notify_webhook_secret:  # unsigned webhooks are never sent
            payload: dict[str, Any] = {
                "event": f"alert.{change.event}",
                "alert": m.kind,
                "value": m.value,
                "threshold": m.threshold,
                "detail": m.detail,
                "window_minutes": settings.alert_window_minutes,
                "at": now.isoformat(),
            }
            session.add(
                Notification(
                    kind="webhook",
                    target=settings.notify_webhook_url,
                    payload=payload,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            queued += 1
    session.flush()
    return queued
