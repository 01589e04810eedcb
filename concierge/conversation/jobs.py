"""Turn jobs: claim the next one (one conversation at a time, in arrival order), lease, release, finish, retry."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from concierge.conversation.models import Job, JobStatus
from concierge.core import queue
from concierge.core.backoff import Backoff

LeaseLost = queue.LeaseLost

JOBS = queue.Queue(
    table=Job,
    pending=JobStatus.pending,
    failed=JobStatus.failed,
    due_at="available_at",
    error="last_error",
    claimed=JobStatus.running,
    lease_until="lease_until",
    lease_token="lease_token",
    in_order_of="conversation_id",  # a conversation's turns run one at a time, in arrival order
)
BACKOFF = Backoff(base=2.0, cap=60.0)  # a failed turn is retried within seconds to a minute


@dataclass(frozen=True)
class Lease:
    """A job a worker claimed, as the claim saw it: what a turn needs of the row (none of it changes meanwhile)."""

    job_id: int
    lease_token: str
    message_id: int
    conversation_id: int

    @classmethod
    def of(cls, job: Job) -> "Lease":
        """The lease of a job just claimed."""
        assert job.id is not None and job.lease_token is not None
        return cls(job.id, job.lease_token, job.message_id, job.conversation_id)


def job_due(session: Session, *, now: datetime) -> bool:
    """Whether `claim_job` would find a job (a read: on SQLite it does not take the write lock)."""
    return queue.is_due(session, JOBS, now=now)


def claim_job(session: Session, *, now: datetime, lease_seconds: float) -> Job | None:
    """Lease the oldest due job whose conversation has nothing earlier pending or running."""
    return queue.claim(session, JOBS, now=now, lease_seconds=lease_seconds)


def lease_next_job(session: Session, *, now: datetime, lease_seconds: float) -> Lease | None:
    """`claim_job`'s lease only, read from the claim's columns without building a Job (a turn claims every time)."""
    row = queue.claim_columns(session, JOBS, now=now, lease_seconds=lease_seconds)
    return None if row is None else Lease(row.id, row.lease_token, row.message_id, row.conversation_id)


def release_job(session: Session, *, job_id: int, lease_token: str) -> bool:
    """Give a leased job back unfinished (shutdown): claimable at once, the attempt not counted."""
    values = {"status": JobStatus.pending, "lease_token": None, "lease_until": None, "attempts": col(Job.attempts) - 1}
    return queue.mark(session, JOBS, row_id=job_id, values=values, lease_token=lease_token)


def finish_job(session: Session, *, job_id: int, lease_token: str, status: str, now: datetime, **values: Any) -> None:
    """Set a leased job's final status; LeaseLost if this worker no longer holds it."""
    queue.finish(
        session, JOBS, row_id=job_id, status=status, values={"finished_at": now, **values}, lease_token=lease_token
    )


def retry_or_fail(
    session: Session,
    *,
    job_id: int,
    lease_token: str,
    error: str,
    now: datetime,
    max_attempts: int,
    backoff: Backoff = BACKOFF,
) -> Job:
    """Record a failed attempt: pending again after a backoff, or failed for good once attempts run out."""
    job = session.get_one(Job, job_id)
    queue.retry_or_fail(
        session,
        JOBS,
        row_id=job_id,
        attempts=job.attempts,
        max_attempts=max_attempts,
        error=error,
        now=now,
        backoff=backoff,
        on_retry={"finished_at": None},
        on_fail={"finished_at": now},
        lease_token=lease_token,
    )
    return job


def backlog(session: Session) -> tuple[int, int]:
    """Turns waiting (pending, due or backing off) and turns running now, across every worker process."""
    counts = dict(
        session.exec(
            select(col(Job.status), func.count())
            .where(col(Job.status).in_([JobStatus.pending, JobStatus.running]))
            .group_by(col(Job.status))
        ).all()
    )
    return int(counts.get(JobStatus.pending, 0)), int(counts.get(JobStatus.running, 0))
