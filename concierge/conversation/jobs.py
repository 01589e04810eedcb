"""Turn jobs: claim the next one (one conversation at a time, in arrival order), lease, release, finish, retry."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from concierge.conversation.models import Job, JobStatus
from concierge.core.errors import Conflict


class LeaseLost(Conflict):
    """The job's lease expired and another worker took it; this worker's result is discarded."""


def _due_jobs(now: datetime) -> SelectOfScalar[Job]:
    """Due jobs, oldest first, whose conversation has nothing earlier pending or running."""
    earlier = aliased(Job)
    blocked = exists().where(
        col(earlier.conversation_id) == col(Job.conversation_id),
        col(earlier.id) < col(Job.id),
        col(earlier.status).in_([JobStatus.pending, JobStatus.running]),
    )
    due = or_(
        (col(Job.status) == JobStatus.pending) & (col(Job.available_at) <= now),
        # A worker that died mid-turn leaves an expired lease: its job is claimable again, first in line.
        (col(Job.status) == JobStatus.running) & (col(Job.lease_until) < now),
    )
    return select(Job).where(due, ~blocked).order_by(col(Job.id)).limit(1)


def job_due(session: Session, *, now: datetime) -> bool:
    """Whether `claim_job` would find a job (a read: on SQLite it does not take the write lock)."""
    return session.exec(_due_jobs(now)).first() is not None


def claim_job(session: Session, *, now: datetime, lease_seconds: float) -> Job | None:
    """Lease the oldest due job whose conversation has nothing earlier pending or running."""
    job = session.exec(_due_jobs(now).with_for_update(skip_locked=True)).first()
    if job is None:
        return None
    job.status = JobStatus.running
    job.attempts += 1
    job.lease_token = uuid.uuid4().hex
    job.lease_until = now + timedelta(seconds=lease_seconds)
    session.flush()
    return job


def release_job(session: Session, *, job_id: int, lease_token: str) -> bool:
    """Give a leased job back unfinished (shutdown): claimable at once, the attempt not counted."""
    result = session.exec(
        update(Job)
        .where(col(Job.id) == job_id, col(Job.lease_token) == lease_token, col(Job.status) == JobStatus.running)
        .values(status=JobStatus.pending, lease_token=None, lease_until=None, attempts=col(Job.attempts) - 1)
    )
    return bool(result.rowcount == 1)


def finish_job(session: Session, *, job_id: int, lease_token: str, status: str, now: datetime, **values: Any) -> None:
    """Set a leased job's final (or retry) status; LeaseLost if this worker no longer holds it."""
    result = session.exec(
        update(Job)
        .where(col(Job.id) == job_id, col(Job.lease_token) == lease_token, col(Job.status) == JobStatus.running)
        .values({"status": status, "finished_at": now, **values})
    )
    if result.rowcount != 1:
        raise LeaseLost(f"job {job_id} is no longer leased by this worker")


def retry_or_fail(
    session: Session, *, job_id: int, lease_token: str, error: str, now: datetime, max_attempts: int
) -> Job:
    """Record a failed attempt: pending again after a backoff, or failed for good once attempts run out."""
    job = session.get_one(Job, job_id)
    if job.attempts < max_attempts:
        delay = min(2**job.attempts, 60)
        finish_job(
            session,
            job_id=job_id,
            lease_token=lease_token,
            status=JobStatus.pending,
            now=now,
            last_error=error[:500],
            available_at=now + timedelta(seconds=delay),
            finished_at=None,
        )
    else:
        finish_job(
            session, job_id=job_id, lease_token=lease_token, status=JobStatus.failed, now=now, last_error=error[:500]
        )
    return job
