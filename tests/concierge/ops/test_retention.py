"""`concierge purge` deletes the history nobody reads any more (traces, finished jobs, delivered replies, sent
notifications past TRACE_RETENTION_DAYS), in batches, and keeps everything still in flight or recent."""

from datetime import timedelta

from sqlmodel import col, select

from concierge.conversation.models import Job, Outbox, OutboxStatus, Trace
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.llm.models import ModelCall
from escalation.models import Notification, NotificationStatus
from knowledge.models import Property
from tests.factories import concierge, guest_says, job_of


def test_purge_deletes_old_history_in_batches_and_keeps_what_is_recent_or_in_flight(prop: Property) -> None:
    old_turns = [guest_says(prop, f"wifi? {n}") for n in range(3)]
    recent = guest_says(prop, "what time is check-out?")
    old = utcnow() - timedelta(days=100)
    old_jobs = [job_of(m.id).id for m in old_turns]
    recent_job = job_of(recent.id).id
    with session_scope() as s:
        for job in s.exec(select(Job).where(col(Job.id).in_(old_jobs))).all():
            job.finished_at = old
        for trace in s.exec(select(Trace).where(col(Trace.job_id).in_(old_jobs))).all():
            trace.created_at = old
        replies = s.exec(select(Outbox).order_by(col(Outbox.id))).all()
        for reply, status in zip(
            replies[:3], [OutboxStatus.delivered, OutboxStatus.sent, OutboxStatus.pending], strict=True
        ):
            reply.created_at, reply.status = old, status  # the third still waits to leave: kept
        conversation_id = replies[0].conversation_id
        s.add(
            ModelCall(
                property_id=prop.id or 0,
                conversation_id=conversation_id,
                job_id=old_jobs[0],
                provider="p",
                outcome="ok",
            )
        )
        s.add(Notification(kind="email", target="a@example.com", status=NotificationStatus.sent, created_at=old))
        s.add(Notification(kind="email", target="b@example.com", status=NotificationStatus.pending, created_at=old))

    result = concierge("purge", "--batch", "2")  # 3 old traces and jobs: two batches each
    assert result.returncode == 0, result.stderr
    assert "deleted 3 traces, 3 finished jobs, 2 delivered outbox rows, 1 sent notifications older than 90 days" in (
        result.stdout
    )
    with session_scope() as s:
        assert [j.id for j in s.exec(select(Job)).all()] == [recent_job]
        assert len(s.exec(select(Trace)).all()) == 1
        assert [o.status for o in s.exec(select(Outbox).order_by(col(Outbox.id))).all()][0] == OutboxStatus.pending
        assert [n.target for n in s.exec(select(Notification)).all()] == ["b@example.com"]
        assert s.exec(select(ModelCall.job_id)).all() == [None]  # the cost record stays, unlinked
