"""Same-guest ordering on PostgreSQL: two concurrent webhooks of one guest are answered in commit (ack) order.

Each message is acknowledged only after its transaction commits, and the worker takes a conversation's jobs in
id order. So ids must be handed out in commit order per conversation: `receive()` locks the conversation row
before it inserts the message and the job. The test pauses one store inside its transaction, right after the
message insert, and lets a second store of the same guest run meanwhile.
"""

import threading
import time
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlmodel import col, select

from concierge.conversation import jobs
from concierge.conversation.models import Job, JobStatus, Message
from concierge.core.db import engine_for, session_scope
from concierge.core.modelbase import utcnow
from knowledge.models import Property
from tests.factories import ANA, receive

PHONE = ANA


def store(prop: Property, body: str, *, pause: bool = False, pids: dict[str, int] | None = None) -> None:
    """One webhook's transaction; with `pause`, it stops after inserting the message until resumed."""
    with session_scope() as s:
        connection = s.connection()
        if pids is not None:
            pids[body] = int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
        connection.info["pause"] = pause
        try:
            receive(s, prop, body, phone=PHONE)
        finally:
            connection.info.pop("pause", None)


def claim() -> tuple[int, str] | None:
    """What a worker would take now: (job id, message body)."""
    with session_scope() as s:
        job = jobs.claim_job(s, now=utcnow(), lease_seconds=60)
        if job is None:
            return None
        assert job.id is not None
        return job.id, s.get_one(Message, job.message_id).body


def running_bodies() -> list[str]:
    """Bodies of the messages whose turn is running."""
    with session_scope(readonly=True) as s:
        rows = s.exec(select(Message.body).join(Job).where(col(Job.status) == JobStatus.running))
        return list(rows)


def finish(job_id: int) -> None:
    with session_scope() as s:
        s.get_one(Job, job_id).status = JobStatus.done


def test_concurrent_messages_of_one_guest_are_answered_in_commit_order(prop: Property, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises whole write transactions (BEGIN IMMEDIATE); the race needs PostgreSQL")
    store(prop, "hello")  # the conversation exists already, as for any guest's second message
    first = claim()
    assert first is not None
    finish(first[0])

    engine = engine_for(database_url)
    paused, resume = threading.Event(), threading.Event()

    def pause_after_message_insert(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # After the statement that inserts the message (on PostgreSQL one statement writes conversation, message
        # and job), before the commit.
        if conn.info.get("pause") and "INSERT INTO MESSAGE" in statement.upper():
            paused.set()
            resume.wait(20)

    event.listen(engine, "after_cursor_execute", pause_after_message_insert)
    committed: list[str] = []
    pids: dict[str, int] = {}

    def run(body: str, pause: bool) -> None:
        store(prop, body, pause=pause, pids=pids)
        committed.append(body)

    a = threading.Thread(target=run, args=("wifi?", True))
    b = threading.Thread(target=run, args=("parking?", False))
    try:
        a.start()
        assert paused.wait(20), "the first store never reached its message insert"
        b.start()
        # Wait until the second store has committed (the bug) or waits for the first one's lock (the fix).
        deadline = time.monotonic() + 20
        while "parking?" not in committed:
            with engine.connect() as conn:
                waiting = conn.execute(
                    text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pids.get("parking?")}
                ).scalar()
            if waiting == "Lock":
                break
            assert time.monotonic() < deadline, "the second store neither committed nor waited"
            time.sleep(0.02)
        claimed = [claim()]  # a worker polling while the first store is still open
    finally:
        resume.set()
        a.join(20)
        b.join(20)
        event.remove(engine, "after_cursor_execute", pause_after_message_insert)

    # Drain as two workers would: one runs the guest's turn while the other polls for more work.
    running = [job for job in claimed if job is not None]
    answered: list[str] = []
    while True:
        polled = claim()
        if polled is not None:
            running.append(polled)
        assert len(running_bodies()) <= 1, f"two turns of one guest ran at the same time: {running_bodies()}"
        if not running:
            break
        job_id, body = running.pop(0)
        answered.append(body)
        finish(job_id)
    assert answered == committed == ["wifi?", "parking?"]
