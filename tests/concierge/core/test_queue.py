"""The claim-and-backoff helper on the real database: claim order, lease expiry, retry then fail."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from concierge.conversation.jobs import JOBS
from concierge.conversation.models import Job, JobStatus, Message
from concierge.core import queue
from concierge.core.backoff import Backoff
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from escalation.delivery import NOTIFICATIONS
from escalation.models import Notification, NotificationStatus
from knowledge.models import Property
from tests.factories import ANA, job_of, store

HALF = Backoff(base=2, cap=60, rng=lambda: 0.5)  # waits half the ceiling: 1 s, 2 s, 4 s …


def receive(prop: Property, body: str, phone: str = ANA) -> int:
    """Store a guest message; returns its job's id."""
    job_id = job_of(store(prop, body, phone=phone).id).id
    assert job_id is not None
    return job_id


def claim(now: datetime | None = None) -> tuple[int, str, str] | None:
    """(job id, lease token, message body) of the next claimed job."""
    with session_scope() as s:
        job = queue.claim(s, JOBS, now=now or utcnow(), lease_seconds=60)
        if job is None:
            return None
        assert job.id is not None and job.lease_token is not None
        return job.id, job.lease_token, s.get_one(Message, job.message_id).body


def job(job_id: int) -> Job:
    with session_scope() as s:
        return s.get_one(Job, job_id)


def close(a: datetime, b: datetime) -> bool:
    return abs((a - b).total_seconds()) < 0.01


def retry(job_id: int, lease_token: str, *, attempts: int, now: datetime, error: str = "boom", **options: Any) -> bool:
    """A failed attempt of the job, recorded by this worker: at most three attempts, half-ceiling waits."""
    with session_scope() as s:
        return queue.retry_or_fail(
            s,
            JOBS,
            row_id=job_id,
            attempts=attempts,
            max_attempts=3,
            now=now,
            backoff=HALF,
            lease_token=lease_token,
            error=error,
            **options,
        )


def test_claims_the_oldest_due_row_one_at_a_time_per_conversation(prop: Property) -> None:
    receive(prop, "wifi")
    receive(prop, "parking")
    receive(prop, "hello", phone="+447700900123")
    first, other = claim(), claim()
    assert first is not None and first[2] == "wifi"
    assert other is not None and other[2] == "hello"  # "parking" waits behind "wifi"
    assert claim() is None
    with session_scope() as s:
        queue.finish(s, JOBS, row_id=first[0], status=JobStatus.done, lease_token=first[1])
    after = claim()
    assert after is not None and after[2] == "parking"


def test_a_row_is_not_claimed_before_it_is_due(prop: Property) -> None:
    job_id = receive(prop, "wifi")
    with session_scope() as s:
        s.get_one(Job, job_id).available_at = utcnow() + timedelta(minutes=5)
        assert not queue.is_due(s, JOBS, now=utcnow())
    assert claim() is None
    assert claim(utcnow() + timedelta(minutes=6)) is not None


def test_an_expired_lease_is_claimed_again_and_the_late_worker_is_refused(prop: Property) -> None:
    receive(prop, "wifi")
    first = claim()
    assert first is not None
    assert claim() is None  # leased
    again = claim(utcnow() + timedelta(seconds=61))  # the first worker died: its lease ran out
    assert again is not None and again[0] == first[0] and again[1] != first[1]
    assert job(first[0]).attempts == 2
    with session_scope() as s, pytest.raises(queue.LeaseLost):
        queue.finish(s, JOBS, row_id=first[0], status=JobStatus.done, lease_token=first[1])
    with session_scope() as s:
        queue.finish(s, JOBS, row_id=again[0], status=JobStatus.done, lease_token=again[1])
    assert job(first[0]).status == JobStatus.done


def test_retry_waits_the_backoff_then_fails_once_attempts_run_out(prop: Property) -> None:
    job_id = receive(prop, "wifi")
    for attempt, expected_wait in ((1, 1.0), (2, 2.0)):
        claimed = claim(utcnow() + timedelta(minutes=attempt))
        assert claimed is not None
        now = utcnow()
        assert retry(job_id, claimed[1], attempts=attempt, now=now, error="boom" * 200)
        row = job(job_id)
        assert row.status == JobStatus.pending and row.last_error == ("boom" * 200)[:500]
        assert close(row.available_at, now + timedelta(seconds=expected_wait))
    claimed = claim(utcnow() + timedelta(minutes=3))
    assert claimed is not None
    assert not retry(job_id, claimed[1], attempts=3, now=utcnow(), on_fail={"finished_at": utcnow()})
    row = job(job_id)
    assert (row.status, row.attempts, row.last_error) == (JobStatus.failed, 3, "boom") and row.finished_at
    assert claim(utcnow() + timedelta(hours=1)) is None


def test_retry_after_and_min_delay_are_floors(prop: Property) -> None:
    job_id = receive(prop, "wifi")
    for retry_after, min_delay, wait in ((30, 0.0, 30.0), (None, 12.0, 12.0), ("5", 0.0, 5.0)):
        claimed = claim(utcnow() + timedelta(hours=1))
        assert claimed is not None
        now = utcnow()
        retry(job_id, claimed[1], attempts=1, now=now, retry_after=retry_after, min_delay=min_delay)
        assert close(job(job_id).available_at, now + timedelta(seconds=wait))


def add_notification() -> int:
    with session_scope() as s:
        row = Notification(kind="webhook", target="http://127.0.0.1:9/hooks", next_attempt_at=utcnow())
        s.add(row)
        s.flush()
        assert row.id is not None
        return row.id


def test_without_a_claimed_status_a_claim_moves_the_due_time_past_the_lease() -> None:
    first, second = add_notification(), add_notification()
    now = utcnow()
    with session_scope() as s:
        row = queue.claim(s, NOTIFICATIONS, now=now, lease_seconds=25)
        assert row is not None and row.id == first and row.attempts == 1
        assert row.status == NotificationStatus.pending and close(row.next_attempt_at, now + timedelta(seconds=25))
    with session_scope() as s:
        taken = queue.claim(s, NOTIFICATIONS, now=now, lease_seconds=25)
        assert taken is not None and taken.id == second  # no ordering rule: the next row is free
        assert queue.claim(s, NOTIFICATIONS, now=now, lease_seconds=25) is None
    with session_scope() as s:
        again = queue.claim(s, NOTIFICATIONS, now=now + timedelta(seconds=26), lease_seconds=25)
        assert again is not None and again.id == first and again.attempts == 2  # the lease ran out


def test_a_late_retry_never_undoes_a_delivery_recorded_meanwhile() -> None:
    notification_id = add_notification()
    with session_scope() as s:
        assert queue.claim(s, NOTIFICATIONS, now=utcnow(), lease_seconds=25) is not None
    with session_scope() as s:  # another worker, after the lease, delivered it
        queue.finish(s, NOTIFICATIONS, row_id=notification_id, status=NotificationStatus.sent)
    with session_scope() as s:
        assert queue.retry_or_fail(
            s,
            NOTIFICATIONS,
            row_id=notification_id,
            attempts=1,
            max_attempts=5,
            error="HTTP 503",
            now=utcnow(),
            backoff=HALF,
        )
        assert s.get_one(Notification, notification_id).status == NotificationStatus.sent


def test_a_burst_is_claimed_in_order_one_turn_per_conversation_at_a_time(prop: Property) -> None:
    guests = [f"+4477009{n:05d}" for n in range(12)]
    for round_ in range(3):  # every guest's first message, then every second one, then every third
        for phone in guests:
            receive(prop, f"message {round_}", phone=phone)
    answered: list[str] = []
    for round_ in range(3):
        claimed = [claim() for _ in guests]
        assert all(c is not None and c[2] == f"message {round_}" for c in claimed), "one per guest, oldest first"
        assert claim() is None, "each guest's next message waits for the running one"
        with session_scope() as s:
            for c in claimed:
                assert c is not None
                queue.finish(s, JOBS, row_id=c[0], status=JobStatus.done, lease_token=c[1])
                answered.append(c[2])
    assert len(answered) == 36


def test_on_postgresql_the_in_order_check_is_one_index_probe_per_candidate(prop: Property) -> None:
    """Not an anti-join: from stale statistics (a fresh table, a burst since the last ANALYZE) PostgreSQL planned
    NOT EXISTS as a scan of every unfinished row per candidate (quadratic in the backlog, 135 ms per claim)."""
    for phone in (ANA, "+447700900123"):
        receive(prop, "wifi", phone=phone)
    with session_scope(readonly=True) as s:
        connection = s.connection()
        if connection.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's planner")
        statement = queue._claim(JOBS).compile(dialect=connection.dialect)
        params = {**statement.params, **queue._claim_params(JOBS, now=utcnow(), lease_seconds=60)}
        plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", params))
    assert "Anti Join" not in plan and "SubPlan" in plan, plan
