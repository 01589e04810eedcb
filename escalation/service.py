"""Escalation service: open hand-offs to people (the console and notifications build on these)."""

import logging
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from concierge.models import Conversation
from escalation.models import Escalation, EscalationStatus

log = logging.getLogger(__name__)


def open_escalation(
    session: Session,
    *,
    conversation: Conversation,
    message_id: int | None,
    reason: str,
    detail: str = "",
    urgency: str = "normal",
) -> Escalation:
    """Record that people must follow up on this conversation, why, and how urgently ("normal" or "urgent")."""
    assert conversation.id is not None
    escalation = Escalation(
        property_id=conversation.property_id,
        conversation_id=conversation.id,
        message_id=message_id,
        reason=reason,
        detail=detail,
        urgency=urgency,
    )
    session.add(escalation)
    session.flush()
    log.info("escalation opened", extra={"escalation_id": escalation.id, "reason": reason, "urgency": urgency})
    return escalation


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
