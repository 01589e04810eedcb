"""Retention: blank guest message bodies (and their copies in the outbox and escalations) after a number of days;
delete the queues' finished rows and the turn traces after TRACE_RETENTION_DAYS, a batch per transaction."""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, update
from sqlmodel import Session, col, select

from concierge.conversation.models import Job, JobStatus, Message, Outbox, OutboxStatus, Trace
from concierge.llm.models import ModelCall
from escalation.models import Escalation, Notification, NotificationStatus

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


def delete_traces(session: Session, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` turn traces written before `before`; how many."""
    ids = session.exec(select(Trace.id).where(col(Trace.created_at) < before).order_by(col(Trace.id)).limit(limit))
    return _delete(session, Trace, list(ids))


def delete_finished_jobs(session: Session, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` jobs done or failed before `before` whose trace is gone; their model calls stay (costs)."""
    traced = exists().where(col(Trace.job_id) == col(Job.id))
    ids = list(
        session.exec(
            select(Job.id)
            .where(col(Job.status).in_([JobStatus.done, JobStatus.failed]), col(Job.finished_at) < before, ~traced)
            .order_by(col(Job.id))
            .limit(limit)
        )
    )
    if ids:
        session.exec(update(ModelCall).where(col(ModelCall.job_id).in_(ids)).values(job_id=None))
    return _delete(session, Job, ids)


def delete_finished_outbox(session: Session, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` outbox rows queued before `before` that are no longer to be sent (sent, delivered …)."""
    unfinished = [OutboxStatus.pending, OutboxStatus.sending]
    ids = session.exec(
        select(Outbox.id)
        .where(col(Outbox.status).not_in(unfinished), col(Outbox.created_at) < before)
        .order_by(col(Outbox.id))
        .limit(limit)
    )
    return _delete(session, Outbox, list(ids))


def delete_sent_notifications(session: Session, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` notifications sent or given up on, created before `before`."""
    ids = session.exec(
        select(Notification.id)
        .where(col(Notification.status) != NotificationStatus.pending, col(Notification.created_at) < before)
        .order_by(col(Notification.id))
        .limit(limit)
    )
    return _delete(session, Notification, list(ids))


# In this order: a job goes once its trace has gone.
HISTORY = {
    "traces": delete_traces,
    "jobs": delete_finished_jobs,
    "outbox": delete_finished_outbox,
    "notifications": delete_sent_notifications,
}


def _delete(session: Session, table: type[Trace | Job | Outbox | Notification], ids: list[int | None]) -> int:
    if not ids:
        return 0
    session.exec(delete(table).where(col(table.id).in_(ids)))
    session.flush()
    return len(ids)
