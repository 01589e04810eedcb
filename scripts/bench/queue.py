"""Queue claim cost against history: claim times with 1 k, 100 k and 1 M finished rows, with and without the
partial indexes of migration 0015 (a claim should not walk the finished history).

    .venv/bin/python -m scripts.bench.queue [--database-url URL] [--sizes 1000,100000,1000000] [--claims 50]

For each size, the schema is built afresh (SQLite: a scratch file; PostgreSQL: the given database's `public`
schema is DROPPED and rebuilt, so give it a database of its own, never a shared one), the demo pack imported,
then that many finished jobs (done, each with its guest message), delivered outbox rows and sent notifications
are written in bulk, spread over 1000 conversations, plus 20 unfinished rows of each at the end. Then, each
`--claims` times in a transaction that is rolled back (the state never changes): the turn worker's poll
(`job_due`) and claim (`claim_job`), the sender's claim (`claim_delivery`) and the notifier's claim. Prints
median and p95 in ms, first with the partial indexes, then with them dropped (the shape before 0015).
"""

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
CONVERSATIONS = 1000
UNFINISHED = 20
PARTIAL_INDEXES = (
    "ix_job_unfinished",
    "ix_job_unfinished_conversation",
    "ix_outbox_unfinished",
    "ix_outbox_unfinished_conversation",
    "ix_notification_pending",
)


def series(dialect: str, n: int) -> tuple[str, str]:
    """A row source of i = 1..n: (a WITH prefix, the FROM clause)."""
    if dialect == "postgresql":
        return "", f"generate_series(1, {n}) AS s(i)"
    return f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) ", "s"


def fill(conn: object, dialect: str, *, property_id: int, finished: int) -> None:
    """Conversations, then `finished` guest messages + done jobs and bot messages + delivered outbox rows."""
    from sqlalchemy import text

    execute = conn.execute  # type: ignore[attr-defined]
    now = "CURRENT_TIMESTAMP"
    with_, source = series(dialect, CONVERSATIONS)
    execute(
        text(
            f"INSERT INTO conversation (property_id, channel, guest_address, property_address, owner, created_at, "
            f"last_message_at) {with_}SELECT {property_id}, 'sms', '+1555' || i, '+15005550006', 'bot', {now}, {now} "
            f"FROM {source}"
        )
    )
    first = execute(text("SELECT min(id) FROM conversation")).scalar_one()
    with_, source = series(dialect, 2 * finished)
    execute(
        text(
            "INSERT INTO message (id, conversation_id, direction, author, body, entry_ids, created_at) "
            f"{with_}SELECT i, {first} + (i / 2) % {CONVERSATIONS}, CASE WHEN i % 2 = 1 THEN 'in' ELSE 'out' END, "
            f"CASE WHEN i % 2 = 1 THEN 'guest' ELSE 'bot' END, 'x', '[]', {now} FROM {source}"
        )
    )
    with_, source = series(dialect, finished)
    execute(
        text(
            "INSERT INTO job (conversation_id, message_id, status, attempts, available_at, created_at, finished_at) "
            f"{with_}SELECT {first} + i % {CONVERSATIONS}, 2 * i - 1, 'done', 1, {now}, {now}, {now} FROM {source}"
        )
    )
    execute(
        text(
            "INSERT INTO outbox (conversation_id, message_id, channel, to_address, from_address, body, author, status, "
            "attempts, next_attempt_at, created_at) "
            f"{with_}SELECT {first} + i % {CONVERSATIONS}, 2 * i, 'sms', '+1555', '+15005550006', 'x', 'bot', "
            f"'delivered', 1, {now}, {now} FROM {source}"
        )
    )
    execute(
        text(
            "INSERT INTO notification (kind, target, payload, status, attempts, next_attempt_at, created_at) "
            f"{with_}SELECT 'webhook', 'https://example.com', '{{}}', 'sent', 1, {now}, {now} FROM {source}"
        )
    )
    if dialect == "postgresql":  # the ids above were given, not drawn from the sequence
        execute(text("SELECT setval('message_id_seq', (SELECT max(id) FROM message))"))


def add_unfinished(prop_slug: str) -> None:
    """UNFINISHED pending jobs (with their messages), outbox rows and notifications, through the services."""
    from sqlmodel import col, select

    from concierge.conversation import service
    from concierge.conversation.models import Channel, Conversation, Message, Outbox
    from concierge.core.db import session_scope
    from concierge.core.modelbase import utcnow
    from escalation.models import Notification
    from knowledge import service as knowledge_service

    with session_scope() as session:
        prop = knowledge_service.get_property(session, slug=prop_slug)
        for n in range(UNFINISHED):
            service.receive(
                session,
                prop=prop,
                channel=Channel.sms,
                guest_address=f"+34699{n:06d}",
                property_address="+15005550006",
                body="wifi?",
                now=utcnow(),
            )
            session.add(Notification(kind="webhook", target="https://example.com"))
        session.flush()
        newest = session.exec(select(Conversation).order_by(col(Conversation.id).desc()).limit(UNFINISHED)).all()
        for conversation in newest:  # a reply waiting to leave in each
            reply = Message(conversation_id=conversation.id or 0, direction="out", author="bot", body="x")
            session.add(reply)
            session.flush()
            session.add(
                Outbox(
                    conversation_id=conversation.id or 0,
                    message_id=reply.id or 0,
                    channel="sms",
                    to_address=conversation.guest_address,
                    from_address="+15005550006",
                    body="x",
                    author="bot",
                )
            )


def timed(operation: Callable[[object], object], *, claims: int, readonly: bool) -> tuple[float, float]:
    """Median and p95 (ms) of `operation(session)` in a transaction rolled back each time."""
    from sqlmodel import Session

    from concierge.core.db import get_engine

    engine = get_engine().execution_options(readonly=True) if readonly else get_engine()
    times = []
    for _ in range(claims):
        with Session(engine) as session:
            started = time.perf_counter()
            found = operation(session)
            times.append((time.perf_counter() - started) * 1000)
            assert found, "the benchmark's unfinished rows were not found"
            session.rollback()
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * len(times)) - 1)]


def measure(claims: int) -> dict[str, tuple[float, float]]:
    """The four queue reads, as the worker's loops run them."""
    from concierge.conversation import jobs, outbox
    from concierge.core import queue
    from concierge.core.modelbase import utcnow
    from escalation.delivery import NOTIFICATIONS

    return {
        "job_due (poll)": timed(lambda s: jobs.job_due(s, now=utcnow()), claims=claims, readonly=True),  # type: ignore[arg-type]
        "claim_job": timed(lambda s: jobs.claim_job(s, now=utcnow(), lease_seconds=60), claims=claims, readonly=False),  # type: ignore[arg-type]
        "claim_delivery": timed(
            lambda s: outbox.claim_delivery(s, now=utcnow(), stale_after=60),  # type: ignore[arg-type]
            claims=claims,
            readonly=False,
        ),
        "claim notification": timed(
            lambda s: queue.claim(s, NOTIFICATIONS, now=utcnow(), lease_seconds=60),  # type: ignore[arg-type]
            claims=claims,
            readonly=False,
        ),
    }


def settle(dialect: str) -> None:
    """Fresh statistics (and on PostgreSQL a VACUUM: a bulk load's first readers would otherwise write hint bits)."""
    from sqlalchemy import text

    from concierge.core.db import get_engine

    with get_engine().connect() as conn:
        if dialect == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
            conn.commit()


def old_due(q: Any) -> Any:
    """`queue.due` as it was before migration 0015: no status term of its own (the in-order check kept one)."""
    from sqlalchemy import true

    from concierge.core import queue
    from concierge.core.modelbase import utcnow

    explicit = queue.unfinished
    queue.unfinished = lambda q, table=None: true() if table is None else explicit(q, table)  # type: ignore[assignment]
    try:
        return queue.due(q, now=utcnow(), lease_seconds=60)
    finally:
        queue.unfinished = explicit  # type: ignore[method-assign]


def measure_sql(claims: int, *, before_0015: bool = False) -> dict[str, tuple[float, float]]:
    """The claims' SELECT statements alone (literal values, no ORM, no locks): the database's own cost.

    `before_0015`: the statements as they were before migration 0015 (no status term of their own, so nothing
    keeps the id-ordered scan off the finished rows).
    """
    from sqlalchemy import text

    from concierge.conversation import jobs, outbox
    from concierge.core import queue
    from concierge.core.db import get_engine
    from concierge.core.modelbase import utcnow
    from escalation.delivery import NOTIFICATIONS

    engine = get_engine()
    results = {}
    for name, q in (
        ("SQL job claim", jobs.JOBS),
        ("SQL outbox claim", outbox.OUTBOX),
        ("SQL notification claim", NOTIFICATIONS),
    ):
        statement = old_due(q) if before_0015 else queue.due(q, now=utcnow(), lease_seconds=60)
        name = f"{name} (before 0015)" if before_0015 else name
        sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
        times = []
        with engine.connect().execution_options(readonly=True) as conn:
            for _ in range(claims):
                started = time.perf_counter()
                assert conn.execute(text(sql)).first() is not None
                times.append((time.perf_counter() - started) * 1000)
            conn.rollback()
        times.sort()
        results[name] = (statistics.median(times), times[min(len(times) - 1, round(0.95 * len(times)) - 1)])
    return results


def print_plan(dialect: str, label: str) -> None:
    """The job claim's query plan, as comment lines."""
    from sqlalchemy import text

    from concierge.conversation import jobs
    from concierge.core import queue
    from concierge.core.db import get_engine
    from concierge.core.modelbase import utcnow

    engine = get_engine()
    sql = str(queue.due(jobs.JOBS, now=utcnow()).compile(engine, compile_kwargs={"literal_binds": True}))
    explain = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    with engine.connect().execution_options(readonly=True) as conn:
        rows = conn.execute(text(explain + sql)).all()
        conn.rollback()
    for row in rows:
        print(f"# plan ({label}): {row[-1]}")


def run_size(url: str, finished: int, claims: int) -> None:
    """Build, fill and measure one size; print its lines."""
    os.environ["DATABASE_URL"] = url
    from sqlalchemy import text

    from alembic import command
    from concierge.core.db import alembic_config, engine_for, get_engine, session_scope
    from concierge.core.settings import get_settings
    from knowledge import service as knowledge_service
    from knowledge.pack import load_pack_file

    get_settings.cache_clear()
    engine_for.cache_clear()
    dialect = make_url(url).get_backend_name()
    if dialect == "postgresql":
        with get_engine().begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    command.upgrade(alembic_config(), "head")
    with session_scope() as session:
        prop, _ = knowledge_service.import_pack(
            session, pack=load_pack_file(ROOT / "examples" / "casa-azul.yaml"), author="bench"
        )
        property_id, slug = prop.id or 0, prop.slug
    started = time.perf_counter()
    with get_engine().begin() as conn:
        fill(conn, dialect, property_id=property_id, finished=finished)
    fill_seconds = time.perf_counter() - started
    add_unfinished(slug)
    settle(dialect)
    for label in ("with partial indexes", "without (dropped)"):
        if label.startswith("without"):
            with get_engine().begin() as conn:
                for index in PARTIAL_INDEXES:
                    conn.execute(text(f"DROP INDEX {index}"))
            settle(dialect)
        print_plan(dialect, label)
        figures = {**measure(claims), **measure_sql(claims)}
        if label.startswith("without"):
            figures.update(measure_sql(claims, before_0015=True))
        for name, (median, p95) in figures.items():
            print(f"{dialect}\t{finished}\t{label}\t{name}\t{median:.3f}\t{p95:.3f}", flush=True)
    print(f"# {dialect} {finished} finished rows written in {fill_seconds:.1f} s", flush=True)
    engine_for(url).dispose()


def main() -> None:
    """Run the benchmark and print its figures (tab-separated)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (its public schema is rebuilt)")
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--claims", type=int, default=50)
    args = parser.parse_args()
    if args.database_url and make_url(args.database_url).database in ("test", "postgres"):
        parser.error("give the benchmark a database of its own: its schema is dropped")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    print("database\tfinished rows\tindexes\toperation\tmedian ms\tp95 ms")
    with tempfile.TemporaryDirectory(prefix="concierge-bench-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            url = args.database_url or f"sqlite:///{tmp}/queue-{size}.db"
            run_size(url, size, args.claims)


if __name__ == "__main__":
    main()
