"""Turn jobs: per-conversation order, expired leases, failures with a fallback reply, no double recording."""

from datetime import timedelta

import pytest
from sqlmodel import select

from concierge.conversation import jobs
from concierge.conversation.models import Job, JobStatus, Message, Outbox
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.turn import record
from concierge.turn.result import Decision, TurnResult
from concierge.turn.runner import TurnRunner
from escalation.models import Escalation
from knowledge.models import Property
from tests import factories
from tests.factories import ANA


def receive(prop: Property, body: str, phone: str = ANA, sid: str | None = None) -> int | None:
    """Store a guest message; its id, or None when `sid` was stored already."""
    with session_scope() as s:
        message = factories.receive(s, prop, body, phone=phone, sid=sid)
        return message.id if message else None


def claim() -> jobs.Lease | None:
    with session_scope() as s:
        return jobs.lease_next_job(s, now=utcnow(), lease_seconds=60)  # as the turn runner claims


def test_a_lease_read_from_the_claims_columns_is_the_claimed_jobs(prop: Property) -> None:
    message_id = receive(prop, "wifi")
    claimed = claim()
    with session_scope() as s:
        job = s.exec(select(Job).where(Job.message_id == message_id)).one()
        assert claimed == jobs.Lease.of(job) and job.status == JobStatus.running and job.attempts == 1


def test_duplicate_message_sid_is_stored_once(prop: Property) -> None:
    assert receive(prop, "wifi", sid="SM1") is not None
    assert receive(prop, "wifi", sid="SM1") is None
    with session_scope() as s:
        assert len(s.exec(select(Message)).all()) == 1 and len(s.exec(select(Job)).all()) == 1


def test_same_guest_is_answered_in_order_never_concurrently(prop: Property) -> None:
    first = receive(prop, "wifi")
    receive(prop, "parking")
    other = receive(prop, "hello", phone="+447700900123")
    claimed = claim()
    assert claimed is not None and claimed.message_id == first
    second = claim()  # the same guest's next message waits; another guest's does not
    assert second is not None and second.message_id == other
    assert claim() is None


def test_expired_lease_is_claimed_again(prop: Property) -> None:
    receive(prop, "wifi")
    first = claim()
    assert first is not None
    with session_scope() as s:
        s.get_one(Job, first.job_id).lease_until = utcnow() - timedelta(seconds=1)
    again = claim()
    assert again is not None and again.job_id == first.job_id and again.lease_token != first.lease_token
    with session_scope() as s, pytest.raises(jobs.LeaseLost):  # the first worker woke up too late
        record.record_turn(s, job=first, now=utcnow(), result=TurnResult(decision=Decision.escalate))


def test_failing_turn_retries_then_sends_fallback_and_escalates(
    prop: Property, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOB_MAX_ATTEMPTS", "2")
    get_settings.cache_clear()
    receive(prop, "wifi")
    runner = TurnRunner(get_settings())

    def broken(_message_id: int) -> TurnResult:
        raise RuntimeError("model exploded")

    monkeypatch.setattr(runner, "run_turn", broken)
    assert runner.run_next()
    with session_scope() as s:
        job = s.exec(select(Job)).one()
        assert job.status == JobStatus.pending and job.attempts == 1
        job.available_at = utcnow()  # skip the backoff
    assert runner.run_next()
    with session_scope() as s:
        assert s.exec(select(Job)).one().status == JobStatus.failed
        [reply] = s.exec(select(Outbox).where(Outbox.author == "bot")).all()  # the other row alerts staff
        assert "technical problem" in reply.body or "problema" in reply.body
        assert [e.reason for e in s.exec(select(Escalation)).all()] == ["technical_error"]
