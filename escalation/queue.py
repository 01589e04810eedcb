"""The console's queue and its live updates: open escalations with what the table shows, and a digest of a page.

The live page's event stream polls `fingerprint()`, which reads in a short read-only transaction of its own: a
stream lives for minutes and must hold no transaction (on SQLite not even a read snapshot) while it waits.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from concierge.conversation.models import Conversation, Message
from concierge.core.db import session_scope
from concierge.users import service as users_service
from escalation import service as escalation_service
from escalation import staff as staff_service
from escalation.models import Escalation
from knowledge.models import Reservation


@dataclass(frozen=True)
class QueueEntry:
    """One row of the console's queue."""

    escalation: Escalation
    reason: str  # the most urgent of its reasons
    trigger: str  # the guest message that raised that reason, else the escalation's own detail
    owner: str  # who owns the conversation now
    conversation: Conversation  # the guest's number, channel, language and last message time
    guest_name: str | None  # from the booking of the guest's number, if any


def queue_entries(session: Session, *, property_ids: list[int]) -> list[QueueEntry]:
    """Unresolved escalations of these properties in queue order, each with its most urgent reason, that reason's
    message and the conversation's owner (three queries)."""
    escalations = escalation_service.queue(session, property_ids=property_ids)
    tops = {e.id: e.top() for e in escalations}
    message_ids = {t.message_id for t in tops.values() if t.message_id}
    conversation_ids = {e.conversation_id for e in escalations}
    bodies: dict[int | None, str] = {}
    if message_ids:
        bodies = dict(session.exec(select(Message.id, Message.body).where(col(Message.id).in_(message_ids))).all())
    conversations: dict[int | None, Conversation] = {}
    if conversation_ids:
        query = select(Conversation).where(col(Conversation.id).in_(conversation_ids))
        conversations = {c.id: c for c in session.exec(query)}
    names = _guest_names(session, list(conversations.values()))
    return [
        QueueEntry(
            escalation=e,
            reason=tops[e.id].reason,
            trigger=bodies.get(tops[e.id].message_id, e.detail),
            owner=conversations[e.conversation_id].owner,
            conversation=conversations[e.conversation_id],
            guest_name=names.get((e.property_id, _phone(conversations[e.conversation_id]))),
        )
        for e in escalations
    ]


def _phone(conversation: Conversation) -> str:
    return conversation.guest_address.removeprefix("whatsapp:")


def _guest_names(session: Session, conversations: list[Conversation]) -> dict[tuple[int, str], str]:
    """The booked guest's name per (property, number), the latest stay's, in one query."""
    phones = {_phone(c) for c in conversations}
    if not phones:
        return {}
    rows = session.exec(
        select(Reservation.property_id, Reservation.phone, Reservation.guest_name)
        .where(col(Reservation.phone).in_(phones))
        .order_by(col(Reservation.check_in))
    )
    return {(property_id, phone): name for property_id, phone, name in rows}


SIGNED_OUT = "signed_out"  # the page's session has ended (sign-out, disabled account, new password)


def page_state(
    session: Session, *, user_id: int, conversation_id: int | None, epoch: int | None = None
) -> list[Any] | str:
    """What a console page shows: the queue, or one conversation (owner, transcript, escalation, notes).

    With the session's `epoch`: SIGNED_OUT once that session has ended, so a live stream stops with it."""
    user = users_service.get_user(session, user_id=user_id)
    if user is None:
        return "gone"
    if epoch is not None and (user.session_epoch != epoch or user.disabled):
        return SIGNED_OUT
    scope = [p.id for p in users_service.user_properties(session, user=user) if p.id is not None]
    if conversation_id is None:
        escalations = escalation_service.queue(session, property_ids=scope)
        return [(e.id, e.status, e.urgency, e.claimed_by) for e in escalations]
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.property_id not in scope:
        return "hidden"
    last_message = session.exec(select(func.max(Message.id)).where(Message.conversation_id == conversation_id)).one()
    current = escalation_service.unresolved(session, conversation_id=conversation_id)
    return [
        conversation.owner,
        last_message or 0,  # one indexed read, not the transcript
        (current.id, current.status, current.urgency) if current else None,
        len(staff_service.notes(session, conversation_id=conversation_id)),
    ]


def fingerprint(*, user_id: int, conversation_id: int | None, epoch: int | None = None) -> str:
    """A digest of `page_state`, read in a read-only transaction of its own; it changes when the page would."""
    with session_scope(readonly=True) as session:
        state = page_state(session, user_id=user_id, conversation_id=conversation_id, epoch=epoch)
    if isinstance(state, str):
        return state
    return hashlib.sha256(repr(state).encode()).hexdigest()[:16]
