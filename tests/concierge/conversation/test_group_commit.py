"""Group commit: the webhook's stores share transactions, fail alone, keep each guest's order, and are never
reported stored before their transaction has committed."""

import asyncio
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import event
from sqlmodel import Session, col, select

from concierge.channels.twilio import store_inbound
from concierge.conversation.group_commit import GroupCommit
from concierge.conversation.models import Job, Message
from concierge.core.db import get_engine, session_scope
from concierge.core.modelbase import utcnow
from knowledge.models import Property
from tests.factories import PG_URL_ENV


def form(guest: int, n: int) -> dict[str, str]:
    return {"To": "+15005550006", "From": f"+3461000{guest:04d}", "Body": f"q{n}", "MessageSid": f"SM{guest}-{n}"}


def store(f: dict[str, str]) -> Callable[[Session], str]:
    return lambda session: store_inbound(session, f)


@pytest.fixture
def commits() -> Iterator[list[int]]:
    """How many transactions were committed (one entry per commit)."""
    seen: list[int] = []

    def count(_conn: Any) -> None:
        seen.append(1)

    engine = get_engine()
    event.listen(engine, "commit", count)
    yield seen
    event.remove(engine, "commit", count)


def stored_bodies() -> dict[str, list[str]]:
    """Each guest's stored messages in id order, and every message has its job."""
    with session_scope(readonly=True) as s:
        messages = s.exec(select(Message).order_by(col(Message.id))).all()
        jobs = {job.message_id for job in s.exec(select(Job)).all()}
    assert {m.id for m in messages} == jobs
    by_sid: dict[str, list[str]] = {}
    for m in messages:
        by_sid.setdefault((m.twilio_sid or "").split("-")[0], []).append(m.body)
    return by_sid


def run_all(writer: GroupCommit, items: list[tuple[Callable[[Session], Any], str]]) -> list[Any]:
    """Submit every item from one event loop at once (as concurrent webhooks do); results or exceptions."""

    async def main() -> list[Any]:
        return await asyncio.gather(*(writer.run(work, key=key) for work, key in items), return_exceptions=True)

    try:
        return asyncio.run(main())
    finally:
        writer.close()


def test_concurrent_stores_share_transactions_and_each_guest_keeps_its_order(
    prop: Property, commits: list[int]
) -> None:
    forms = [form(guest, n) for n in range(5) for guest in range(20)]  # interleaved, as guests arrive
    batches_before = REGISTRY.get_sample_value("concierge_webhook_batch_size_count") or 0.0
    stored_before = REGISTRY.get_sample_value("concierge_webhook_batch_size_sum") or 0.0
    results = run_all(GroupCommit(), [(store(f), f"{f['To']} {f['From']}") for f in forms])
    assert results == ["stored"] * 100
    assert len(commits) < 100 / 4  # batched: far fewer transactions than messages
    # /metrics shows it: every message in a batch, one batch per commit
    assert REGISTRY.get_sample_value("concierge_webhook_batch_size_sum") == stored_before + 100
    assert REGISTRY.get_sample_value("concierge_webhook_batch_size_count") == batches_before + len(commits)
    bodies = stored_bodies()
    assert len(bodies) == 20
    assert all(b == ["q0", "q1", "q2", "q3", "q4"] for b in bodies.values())


def test_a_failing_store_fails_alone_and_its_batch_is_still_stored(prop: Property) -> None:
    def broken(session: Session) -> str:
        store_inbound(session, form(99, 0))  # written, then rolled back with the failing transaction
        raise ValueError("bad message")

    items = [(store(form(g, 0)), str(g)) for g in range(10)]
    items.insert(5, (broken, "5"))
    results = run_all(GroupCommit(), items)
    assert isinstance(results[5], ValueError)
    assert results[:5] + results[6:] == ["stored"] * 10
    assert sorted(stored_bodies()) == [f"SM{g}" for g in range(10)]


@pytest.mark.skipif(bool(os.environ.get(PG_URL_ENV)), reason="SQLite can defer a foreign key to COMMIT")
def test_a_batch_whose_commit_fails_is_written_again_one_by_one(prop: Property) -> None:
    def fails_at_commit(session: Session) -> str:
        session.connection().exec_driver_sql("PRAGMA defer_foreign_keys=ON")  # checked at COMMIT, not before
        session.add(
            Message(conversation_id=999_999, direction="in", author="guest", body="orphan", created_at=utcnow())
        )
        session.flush()
        return "stored"

    items = [(store(form(g, 0)), str(g)) for g in range(5)]
    items.insert(2, (fails_at_commit, "2"))
    results = run_all(GroupCommit(), items)
    assert isinstance(results[2], sqlite3.IntegrityError)  # raised by COMMIT; never reported stored
    assert results[:2] + results[3:] == ["stored"] * 5
    assert sorted(stored_bodies()) == [f"SM{g}" for g in range(5)]
    assert run_all(GroupCommit(), [(store(form(9, 0)), "9")]) == ["stored"]  # the write lock was released


def test_a_duplicate_message_sid_in_one_batch_is_stored_once(prop: Property) -> None:
    results = run_all(GroupCommit(), [(store(form(1, 0)), "a"), (store(form(1, 0)), "a")])
    assert results == ["stored", "duplicate"]
    assert stored_bodies() == {"SM1": ["q0"]}


def test_close_writes_what_is_queued_before_stopping(prop: Property) -> None:
    writer = GroupCommit()
    gate = threading.Event()

    def first(session: Session) -> str:
        gate.wait(5)  # holds the writer while more items queue behind it
        return store_inbound(session, form(1, 0))

    async def main() -> list[Any]:
        pending = [asyncio.ensure_future(writer.run(first))]
        await asyncio.sleep(0.05)
        pending += [asyncio.ensure_future(writer.run(store(form(g, 0)))) for g in range(2, 6)]
        await asyncio.sleep(0.05)
        closing = asyncio.get_running_loop().run_in_executor(None, writer.close)
        gate.set()
        await closing
        return await asyncio.gather(*pending)

    assert asyncio.run(main()) == ["stored"] * 5
    assert sorted(stored_bodies()) == [f"SM{g}" for g in (1, 2, 3, 4, 5)]
