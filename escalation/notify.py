"""Who hears about an escalation, when, and in which language: staff SMS, email, webhook, SLA rounds.

What staff are sent carries no guest words: the reason in words, the urgency, the property, the guest's first name
from the booking and the console link. A guest's message could otherwise reach the team from the property's own
number ("ADMIN NOTICE: sign in again at https://…"); staff read it in the console instead.
"""

import logging
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from concierge.conversation import service as conversation_service
from concierge.conversation.models import Author, Channel, Conversation, Owner
from concierge.core.settings import Settings, get_settings
from concierge.i18n import N_, gettext_for
from escalation.models import Escalation, EscalationPolicy, EscalationStatus, Notification, Urgency
from knowledge import service as knowledge_service
from knowledge.models import Property, StaffMember

log = logging.getLogger(__name__)

MAX_ROUNDS = 5
FIRST_NAME_CHARS = 40
NAME_PUNCTUATION = frozenset("-'’")  # Anne-Marie, O'Brien; no dots, slashes or colons: never a link

URGENCY_LABELS = {Urgency.emergency: N_("EMERGENCY"), Urgency.high: N_("High priority"), Urgency.normal: N_("New")}
REASON_LABELS = {
    "human_requested": N_("the guest asked for a person"),
    "emergency": N_("the guest reported an emergency"),
    "no_answer": N_("a question the concierge could not answer"),
    "access_request": N_("access details requested by an unknown number"),
    "secret_blocked": N_("access details withheld"),
    "technical_error": N_("a technical problem"),
    "output_blocked": N_("a reply the concierge held back"),
    "llm_budget_exceeded": N_("the daily model budget is spent"),
    "many_messages": N_("many messages from this guest"),
    # A model answered and asked for a person without naming a request screening knows (llm/reasons.py).
    "needs_person": N_("the concierge asked for a person to decide or act"),
    "policy:refund": N_("the guest asks for a refund"),
    "policy:discount": N_("the guest asks for a discount"),
    "policy:compensation": N_("the guest asks for compensation"),
    "policy:cancellation": N_("the guest wants to cancel"),
    "policy:date_change": N_("the guest wants to change dates"),
    "policy:early_check_in": N_("the guest asks for an early check-in"),
    "policy:late_check_out": N_("the guest asks for a late check-out"),
    "policy:extra_guests": N_("the guest asks to bring more guests"),
    "policy:pet_exception": N_("the guest asks to bring a pet"),
    "policy:rule_exception": N_("the guest asks for an exception to a house rule"),
    "policy:damage": N_("the guest reports damage"),
    "policy:complaint": N_("the guest has a complaint"),
    "policy:maintenance": N_("something in the home is not working"),
    "policy:fire": N_("fire reported"),
    "policy:flood": N_("flooding or a water leak reported"),
    "policy:gas": N_("gas leak reported"),
    "policy:medical": N_("medical emergency reported"),
    "policy:lockout": N_("the guest is locked out"),
    "policy:break_in": N_("break-in reported"),
    "policy:emergency": N_("the guest reported an emergency"),
    "policy:injection": N_("an attempt to manipulate the concierge"),
    "policy:manipulation": N_("a suspicious request (false authority or pressure)"),
    "policy:privacy": N_("a request for private details"),
    "policy:abuse": N_("abusive messages"),
    "policy:spam": N_("spam messages"),
    "delivery_failed": N_("a reply could not be delivered to the guest"),
}
OTHER_REASON = N_("a conversation that needs a person")


def sla_minutes(settings: Settings) -> dict[str, float]:
    """Minutes to claim an escalation per urgency, from ESCALATION_SLA_MINUTES ("emergency:5,high:15,…")."""
    minutes = {Urgency.emergency.value: 5.0, Urgency.high.value: 15.0, Urgency.normal.value: 60.0}
    for item in settings.escalation_sla_minutes.split(","):
        name, _sep, value = item.partition(":")
        if name.strip() in minutes and value.strip():
            minutes[name.strip()] = float(value)
    return minutes


def console_link(settings: Settings, escalation: Escalation) -> str:
    """Where staff open the conversation."""
    return f"{settings.public_url.rstrip('/')}/console/conversations/{escalation.conversation_id}"


def reason_label(reason: str, language: str | None) -> str:
    """The reason in words, in a staff member's language."""
    _ = gettext_for(language)
    return _(REASON_LABELS.get(reason, OTHER_REASON))


def urgency_label(urgency: str, language: str | None) -> str:
    """The urgency in words, in a staff member's language."""
    _ = gettext_for(language)
    return _(URGENCY_LABELS.get(Urgency(urgency), URGENCY_LABELS[Urgency.normal]))


def _clock(value: str) -> time:
    hours, _sep, minutes = value.partition(":")
    return time(int(hours), int(minutes or 0))


def policy(session: Session, *, property_id: int) -> EscalationPolicy | None:
    """The property's hand-off policy (quiet hours), if set."""
    return session.exec(select(EscalationPolicy).where(EscalationPolicy.property_id == property_id)).first()


def set_quiet_hours(session: Session, *, property_id: int, start: str | None, end: str | None) -> EscalationPolicy:
    """Set (or clear, with None) the hours when staff are not expected to answer, in property time."""
    for value in (v for v in (start, end) if v is not None):
        _clock(value)  # ValueError on a malformed time, before anything is stored
    row = policy(session, property_id=property_id) or EscalationPolicy(property_id=property_id)
    row.quiet_start, row.quiet_end = start, end
    session.add(row)
    session.flush()
    return row


def quiet_until(session: Session, *, prop: Property, now: datetime) -> datetime | None:
    """When the property's quiet hours end, if `now` falls inside them; None otherwise."""
    assert prop.id is not None
    row = policy(session, property_id=prop.id)
    if row is None or not row.quiet_start or not row.quiet_end:
        return None
    local = now.astimezone(ZoneInfo(prop.timezone))
    start, end, current = _clock(row.quiet_start), _clock(row.quiet_end), local.time()
    inside = start <= current < end if start < end else (current >= start or current < end)
    if not inside:
        return None
    end_at = datetime.combine(local.date(), end, tzinfo=local.tzinfo)
    if end_at <= local:
        end_at += timedelta(days=1)
    return end_at


def escalation_opened(session: Session, *, escalation: Escalation, now: datetime) -> None:
    """Notify at once, or when quiet hours end (emergencies never wait)."""
    prop = session.get_one(Property, escalation.property_id)
    wait_until = quiet_until(session, prop=prop, now=now)
    if wait_until is not None and escalation.urgency != Urgency.emergency:
        escalation.next_check_at = wait_until
        return
    send_round(session, escalation=escalation, now=now)


def send_round(
    session: Session, *, escalation: Escalation, now: datetime, tell_guest: bool = True, reminder: bool | None = None
) -> None:
    """One notification round: the first alert, or (after an SLA breach) reminders plus the next staff member.
    tell_guest=False: the caller's reply carries the guest's notice; reminder=False: a fresh alert (emergency.py)."""
    settings = get_settings()
    escalation.notify_round += 1
    round_ = escalation.notify_round
    reminder = round_ > 1 if reminder is None else reminder
    staff = knowledge_service.list_staff(session, property_id=escalation.property_id)
    for member in staff[: min(round_, len(staff))]:
        _staff_sms(session, escalation=escalation, member=member, reminder=reminder, now=now)
    event = "escalation.opened" if round_ == 1 else "escalation.sla_breach" if reminder else "escalation.raised"
    _queue_channels(session, settings=settings, escalation=escalation, event=event, now=now)
    if tell_guest and round_ > 1 and escalation.guest_told_at is None:
        _tell_guest(session, escalation=escalation, now=now)
    escalation.next_check_at = (
        now + timedelta(minutes=sla_minutes(settings)[escalation.urgency]) if round_ < MAX_ROUNDS else None
    )
    session.flush()
    log.info("escalation notified", extra={"escalation_id": escalation.id, "round": round_, "staff": len(staff)})


def guest_first_name(session: Session, *, escalation: Escalation, today: date) -> str | None:
    """The guest's first name from their booking, if any, and only if it is letters (a name, never a link)."""
    conversation = session.get_one(Conversation, escalation.conversation_id)
    stay = knowledge_service.reservation_for(
        session, property_id=escalation.property_id, phone=conversation.guest_address, today=today
    )
    words = stay.guest_name.split() if stay else []
    first = words[0] if words else ""
    if not first or len(first) > FIRST_NAME_CHARS:
        return None
    return first if all(ch.isalpha() or ch in NAME_PUNCTUATION for ch in first) else None


def staff_text(
    escalation: Escalation, *, property_name: str, guest: str | None, language: str | None, reminder: bool
) -> str:
    """The alert a staff member reads, in their language: what happened, where, whose, and the console link."""
    _ = gettext_for(language)
    values = {
        "urgency": urgency_label(escalation.urgency, language),
        "property": property_name,
        "reason": reason_label(escalation.reason, language),
        "link": console_link(get_settings(), escalation),
    }
    if reminder:
        text = _("Reminder, nobody has replied yet. %(urgency)s at %(property)s: %(reason)s. Open %(link)s", **values)
    else:
        text = _("%(urgency)s at %(property)s: %(reason)s. Open %(link)s", **values)
    if guest:
        text += "\n" + _("Guest: %(name)s", name=guest)
    return text


def _staff_sms(session: Session, *, escalation: Escalation, member: StaffMember, reminder: bool, now: datetime) -> None:
    """Queue an SMS to a staff member on the outbox (retries and delivery tracking come with it)."""
    prop = session.get_one(Property, escalation.property_id)
    assert prop.id is not None
    numbers = [n for n in knowledge_service.property_numbers(session, property_id=prop.id) if ":" not in n]
    if not numbers:
        log.warning("no SMS number to alert staff from", extra={"property_id": prop.id})
        return
    thread = conversation_service.find_conversation(
        session, property_id=prop.id, channel=Channel.sms, guest_address=member.phone
    )
    if thread is None:
        thread = Conversation(
            property_id=prop.id,
            channel=Channel.sms,
            guest_address=member.phone,
            property_address=numbers[0],
            owner=Owner.alerts,
        )
        session.add(thread)
        session.flush()
    language = member.languages[0] if member.languages else prop.default_language
    guest = guest_first_name(session, escalation=escalation, today=now.date())
    body = staff_text(escalation, property_name=prop.name, guest=guest, language=language, reminder=reminder)
    conversation_service.enqueue_reply(
        session, conversation=thread, body=body, author=Author.system, now=now, language=language
    )


def _tell_guest(session: Session, *, escalation: Escalation, now: datetime) -> None:
    """Nobody claimed in time: tell the guest, in their language, that a person is on the way."""
    conversation = session.get_one(Conversation, escalation.conversation_id)
    prop = session.get_one(Property, escalation.property_id)
    language = conversation.language or prop.default_language
    _ = gettext_for(language)
    body = _("I have alerted our team again and a person is on the way. Thank you for your patience.")
    conversation_service.enqueue_reply(
        session, conversation=conversation, body=body, author=Author.system, now=now, language=language
    )
    escalation.guest_told_at = now


def _queue_channels(session: Session, *, settings: Settings, escalation: Escalation, event: str, now: datetime) -> None:
    """Email and webhook notifications, delivered with retries by the worker (outside this transaction)."""
    assert escalation.id is not None
    prop = session.get_one(Property, escalation.property_id)
    language = prop.default_language
    guest = guest_first_name(session, escalation=escalation, today=now.date())
    # No guest words and no summary (it quotes the guest): whoever reads these opens the console.
    payload: dict[str, Any] = {
        "event": event,
        "escalation_id": escalation.id,
        "property": prop.slug,
        "property_name": prop.name,
        "urgency": escalation.urgency,
        "urgency_text": urgency_label(escalation.urgency, language),
        "reason": escalation.reason,
        "reason_text": reason_label(escalation.reason, language),
        "guest_first_name": guest,
        "status": escalation.status,
        "round": escalation.notify_round,
        "created_at": escalation.created_at.isoformat(),
        "console_url": console_link(settings, escalation),
    }
    if settings.smtp_host and settings.notify_email_to:
        email = {
            "subject": f"[{urgency_label(escalation.urgency, language)}] {prop.name}: "
            f"{reason_label(escalation.reason, language)}",
            "text": staff_text(
                escalation,
                property_name=prop.name,
                guest=guest,
                language=language,
                reminder=escalation.notify_round > 1,
            ),
        }
        for address in (a.strip() for a in settings.notify_email_to.split(",")):
            if address:
                session.add(
                    Notification(
                        escalation_id=escalation.id,
                        kind="email",
                        target=address,
                        payload=email,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
    if settings.notify_webhook_url and settings.notify_webhook_secret:  # unsigned webhooks are never sent
        session.add(
            Notification(
                escalation_id=escalation.id,
                kind="webhook",
                target=settings.notify_webhook_url,
                payload=payload,
                next_attempt_at=now,
                created_at=now,
            )
        )
    session.flush()


def _due_rounds(now: datetime, limit: int) -> SelectOfScalar[Escalation]:
    """Open escalations whose notification timer is due, earliest first."""
    return (
        select(Escalation)
        .where(
            Escalation.status == EscalationStatus.open,
            col(Escalation.next_check_at).is_not(None),
            col(Escalation.next_check_at) <= now,
        )
        .order_by(col(Escalation.next_check_at))
        .limit(limit)
    )


def sla_due(session: Session, *, now: datetime) -> bool:
    """Whether `check_sla` has a round to run (a read: on SQLite it does not take the write lock)."""
    return session.exec(_due_rounds(now, 1)).first() is not None


def check_sla(session: Session, *, now: datetime, limit: int = 20) -> int:
    """Run the notification round of every open escalation whose timer is due; returns how many ran."""
    due = list(session.exec(_due_rounds(now, limit).with_for_update(skip_locked=True)))
    for escalation in due:
        send_round(session, escalation=escalation, now=now)
    return len(due)
