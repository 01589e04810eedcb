"""Retention: blank guest message bodies (and their copies in the outbox and escalations) after a number of days."""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from concierge.conversation.models import Message, Outbox, OutboxStatus
from escalation.models import Escalation

log = logging.getLogger(__name__)

PURGED = ""  # what a purged body becomes (the column is NOT NULL)


@dataclass(frozen=True)
class Purged:
    messages: int
    outbox: int
    escalations: int


def purge_bodies(session: Session, *, before: datetime) -> Purged:
    """Blank message bodies (and their copies in the outbox and escalations) written before `before`."""
    messages = session.exec(
        update(Message).where(col(Message.created_at) < before, col(Message.body) != PURGED).values(body=PURGED)
    ).rowcount
    outbox = session.exec(
        update(Outbox)
        .where(
            col(Outbox.created_at) < before,
            col(Outbox.body) != PURGED,
            col(Outbox.status).not_in([OutboxStatus.pending, OutboxStatus.sending]),  # still to be delivered
        )
        .values(body=PURGED)
    ).rowcount
    escalations = session.exec(
        update(Escalation)
        .where(col(Escalation.created_at) < before, col(Escalation.detail) != PURGED)
        .values(detail=PURGED)
    ).rowcount
    session.flush()
    log.info("message bodies purged", extra={"messages": messages, "outbox": outbox, "escalations": escalations})
    return Purged(messages=messages, outbox=outbox, escalations=escalations)
