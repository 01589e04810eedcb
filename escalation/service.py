"""Escalation service: the hand-off lifecycle (open → claimed → resolved) and who owns a conversation."""

import logging
from datetime import datetime

from rapidfuzz import fuzz
from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from concierge.conversation.models import Conversation, Message, Owner, staff_owner
from concierge.core.errors import Conflict, NotFound
from concierge.core.modelbase import utcnow
from concierge.core.text import fold
from escalation import handoff, notify
from escalation.models import (
    FLOOD_REASON,
    URGENCY_RANK,
    ConversationNote,
    Escalation,
    EscalationStatus,
    Urgency,
    hands_over,
    urgency_for,
)

log = logging.getLogger(__name__)

# Reasons the bot raises on its own are suppressed after a hand-back when nothing new happened; these are not:
# a guest may always ask for a person, an emergency is always new, and so is each flood of messages and a reply
# that could not be delivered.
ALWAYS_NEW = frozenset({"human_requested", "emergency", FLOOD_REASON, "delivery_failed"})
SAME_COMPLAINT = 80  # rapidfuzz token-set similarity (0–100) at which a message repeats an earlier one


class EscalationConflict(Conflict):
    """The escalation or conversation changed hands meanwhile (someone else claimed or resolved it)."""


# Built once: every turn's record locks its conversation (building the statement cost more than running it).
_LOCKED = (
    select(Conversation)
    .where(col(Conversation.id) == bindparam("conversation_id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)


def lock_conversation(session: Session, *, conversation_id: int) -> Conversation:
    """The conversation, locked until the transaction ends so ownership changes and turns serialize."""
    conversation = session.exec(_LOCKED, params={"conversation_id": conversation_id}).first()
    if conversation is None:
        raise NotFound("no such conversation")
    return conversation


def open_escalation(
    session: Session,
    *,
    conversation: Conversation,
    message_id: int | None,
    reason: str,
    detail: str = "",
    urgency: str | None = None,
    now: datetime | None = None,
    tell_guest: bool = True,
) -> Escalation | None:
    """Record that people must follow up, and notify them; None when a hand-back already settled this.

    `tell_guest=False`: the caller's reply carries any "a person is on the way" notice (`notify.guest_notice`).
    """
    assert conversation.id is not None
    now = now or utcnow()
    level = urgency_for(reason, urgency)
    current = unresolved(session, conversation_id=conversation.id)
    if current is not None:
        return _merge(
            session,
            escalation=current,
            conversation=conversation,
            reason=reason,
            message_id=message_id,
            urgency=level,
            now=now,
            tell_guest=tell_guest,
        )
    if _settled_by_hand_back(
        session, conversation_id=conversation.id, reason=reason, message_id=message_id, urgency=level
    ):
        log.info("re-escalation suppressed after hand-back", extra={"reason": reason})
        return None
    escalation = Escalation(
        property_id=conversation.property_id,
        conversation_id=conversation.id,
        message_id=message_id,
        reason=reason,
        detail=detail,
        urgency=level,
        language=conversation.language,
        created_at=now,
    )
    session.add(escalation)
    session.flush()
    escalation.summary = handoff.summarize(session, escalation=escalation, today=now.date())
    if takes_over(escalation) and conversation.owner == Owner.bot:
        conversation.owner = Owner.unassigned  # the bot stops; its queued replies are cancelled before sending
    notify.escalation_opened(session, escalation=escalation, now=now)
    session.flush()
    log.info("escalation opened", extra={"escalation_id": escalation.id, "reason": reason, "urgency": level})
    return escalation


def takes_over(escalation: Escalation) -> bool:
    """Whether the escalation stops the bot at once (high and emergency do)."""
    return hands_over(escalation.urgency)


def _merge(
    session: Session,
    *,
    escalation: Escalation,
    conversation: Conversation,
    reason: str,
    message_id: int | None,
    urgency: Urgency,
    now: datetime,
    tell_guest: bool = True,
) -> Escalation:
    """One open escalation per conversation: later reasons join it, and a higher urgency re-notifies now."""
    # Each reason keeps its message and urgency (and the urgency before it), so the card shows the most urgent.
    merged = {"reason": reason, "message_id": message_id, "at": now.isoformat(), "urgency": urgency.value}
    escalation.reasons = [*escalation.reasons, {**merged, "was": escalation.urgency}]
    if URGENCY_RANK[urgency] > URGENCY_RANK[Urgency(escalation.urgency)]:
        escalation.urgency = urgency
        if takes_over(escalation) and conversation.owner == Owner.bot:
            conversation.owner = Owner.unassigned
        if escalation.status == EscalationStatus.open:
            notify.send_round(session, escalation=escalation, now=now, tell_guest=tell_guest)
    session.flush()
    return escalation


def _settled_by_hand_back(
    session: Session, *, conversation_id: int, reason: str, message_id: int | None, urgency: Urgency
) -> bool:
    """True when staff handed back an escalation for this reason and the guest only repeats what they said."""
    if reason in ALWAYS_NEW or urgency == Urgency.emergency:  # an emergency is never "already handled"
        return False
    previous = session.exec(
        select(Escalation)
        .where(
            Escalation.conversation_id == conversation_id,
            Escalation.status == EscalationStatus.resolved,
            Escalation.reason == reason,
        )
        .order_by(col(Escalation.id).desc())
        .limit(1)
    ).first()
    if previous is None or URGENCY_RANK[urgency] > URGENCY_RANK[Urgency(previous.urgency)]:
        return False
    new_text = _body(session, message_id)
    if not new_text:
        return True
    earlier = [previous.message_id, *(r.get("message_id") for r in previous.reasons)]
    return any(
        fuzz.token_set_ratio(fold(new_text), fold(old)) >= SAME_COMPLAINT
        for old in (_body(session, m) for m in earlier)
        if old
    )


def _body(session: Session, message_id: int | None) -> str:
    if message_id is None:
        return ""
    message = session.get(Message, message_id)
    return message.body if message else ""


def unresolved(session: Session, *, conversation_id: int) -> Escalation | None:
    """The conversation's open or claimed escalation, if any."""
    return session.exec(
        select(Escalation)
        .where(Escalation.conversation_id == conversation_id, Escalation.status != EscalationStatus.resolved)
        .order_by(col(Escalation.id).desc())
        .limit(1)
    ).first()


def latest(session: Session, *, conversation_id: int) -> Escalation | None:
    """The conversation's most recent escalation, resolved or not."""
    return session.exec(
        select(Escalation)
        .where(Escalation.conversation_id == conversation_id)
        .order_by(col(Escalation.id).desc())
        .limit(1)
    ).first()


def open_escalations(session: Session, *, conversation_id: int) -> list[Escalation]:
    """The conversation's escalations that nobody resolved yet."""
    return list(
        session.exec(
            select(Escalation)
            .where(Escalation.conversation_id == conversation_id, Escalation.status != EscalationStatus.resolved)
            .order_by(col(Escalation.id))
        )
    )


def open_stats(session: Session) -> tuple[int, datetime | None]:
    """Escalations nobody has claimed yet, and when the oldest of them was opened."""
    unclaimed = Escalation.status == EscalationStatus.open
    count = session.exec(select(func.count()).select_from(Escalation).where(unclaimed)).one()
    oldest = session.exec(
        select(Escalation.created_at).where(unclaimed).order_by(col(Escalation.created_at)).limit(1)
    ).first()
    return int(count), oldest


def get_escalation(session: Session, *, escalation_id: int) -> Escalation:
    """One escalation, or NotFound."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFound("no such escalation")
    return escalation


def claim(session: Session, *, escalation_id: int, staff_id: str, now: datetime) -> Escalation:
    """A staff member takes the escalation and the conversation; the bot stops at once."""
    escalation = get_escalation(session, escalation_id=escalation_id)
    conversation = lock_conversation(session, conversation_id=escalation.conversation_id)
    session.refresh(escalation)
    owner = staff_owner(staff_id)
    if escalation.status == EscalationStatus.resolved:
        raise EscalationConflict("This escalation is already resolved.")
    if escalation.status == EscalationStatus.claimed and escalation.claimed_by != owner:
        raise EscalationConflict("Someone else claimed this conversation first.")
    escalation.status = EscalationStatus.claimed
    escalation.claimed_by = owner
    escalation.claimed_at = escalation.claimed_at or now
    escalation.next_check_at = None  # the SLA is met
    conversation.owner = owner
    session.flush()
    log.info("escalation claimed", extra={"escalation_id": escalation.id})
    return escalation


def take_over(session: Session, *, conversation_id: int, staff_id: str, now: datetime) -> Conversation:
    """Make a staff member the owner (claiming an open escalation on the way); the bot stops at once."""
    conversation = lock_conversation(session, conversation_id=conversation_id)
    current = unresolved(session, conversation_id=conversation_id)
    if current is not None and current.id is not None:
        if current.status == EscalationStatus.claimed and current.claimed_by != staff_owner(staff_id):
            raise EscalationConflict("Someone else claimed this conversation first.")
        claim(session, escalation_id=current.id, staff_id=staff_id, now=now)
    conversation.owner = staff_owner(staff_id)
    session.flush()
    return conversation


def hand_back(session: Session, *, conversation_id: int, staff_id: str, note: str, now: datetime) -> Conversation:
    """Return the conversation to the bot, resolving its escalation with the note of what happened."""
    conversation = lock_conversation(session, conversation_id=conversation_id)
    by = staff_owner(staff_id)
    for escalation in open_escalations(session, conversation_id=conversation_id):
        _resolve(escalation, by=by, note=note, now=now, handed_back=True)
    conversation.owner = Owner.bot
    session.add(ConversationNote(conversation_id=conversation_id, author=by, body=note or "-", created_at=now))
    session.flush()
    log.info("conversation handed back to the bot", extra={"conversation_id": conversation_id})
    return conversation


def resolve(session: Session, *, escalation_id: int, staff_id: str, note: str, now: datetime) -> Escalation:
    """Close an escalation with a resolution note; a chat nobody took goes back to the bot."""
    escalation = get_escalation(session, escalation_id=escalation_id)
    conversation = lock_conversation(session, conversation_id=escalation.conversation_id)
    session.refresh(escalation)
    if escalation.status == EscalationStatus.resolved:
        raise EscalationConflict("This escalation is already resolved.")
    handed_back = conversation.owner == Owner.unassigned
    if handed_back:
        conversation.owner = Owner.bot
    _resolve(escalation, by=staff_owner(staff_id), note=note, now=now, handed_back=handed_back)
    session.flush()
    return escalation


def _resolve(escalation: Escalation, *, by: str, note: str, now: datetime, handed_back: bool) -> None:
    escalation.status = EscalationStatus.resolved
    escalation.resolved_by = by
    escalation.resolved_at = now
    escalation.resolution_note = note
    escalation.handed_back = handed_back
    escalation.next_check_at = None


def queue(session: Session, *, property_ids: list[int] | None) -> list[Escalation]:
    """Unresolved escalations, most urgent first, then oldest first; None means every property."""
    query = select(Escalation).where(Escalation.status != EscalationStatus.resolved)
    if property_ids is not None:
        query = query.where(col(Escalation.property_id).in_(property_ids))
    rows = list(session.exec(query))
    return sorted(rows, key=lambda e: (-URGENCY_RANK[Urgency(e.urgency)], e.created_at, e.id or 0))
