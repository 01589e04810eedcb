"""Readiness checks: the database answers and accepts a write, its schema is at the newest migration, the outbox is
neither backlogged nor holding a reply for too long; turns waiting and running are reported.

Each check opens its own connection or read-only transaction: what it tests is whether the database can be
reached at all, so it cannot borrow a request's session.
"""

from datetime import datetime
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from concierge.conversation import jobs, outbox
from concierge.core.db import alembic_config, get_engine, session_scope
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings


def readiness() -> dict[str, Any]:
    """Each check with its result: the database answers, and its schema is at the newest migration."""
    checks: dict[str, Any] = {}
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
        checks["database"] = {"ok": True}
    except Exception as exc:  # any failure to reach the database means "not ready"
        checks["database"] = {"ok": False, "error": type(exc).__name__}
        checks["migrations"] = {"ok": False, "error": "database unavailable"}
        return checks
    checks["writable"] = writable_check()
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    checks["migrations"] = {"ok": current == heads, "current": sorted(current), "head": sorted(heads)}
    if checks["migrations"]["ok"] and checks["writable"]["ok"]:
        settings = get_settings()
        checks["turns"] = turns_check()
        checks["outbox_backlog"] = backlog_check(settings.outbox_backlog_degraded)
        checks["outbox_age"] = age_check(settings.outbox_age_degraded_seconds, now=utcnow())
    return checks


def turns_check() -> dict[str, Any]:
    """Turns waiting for a worker and turns running now (informational: the outbox checks decide "degraded")."""
    with session_scope(readonly=True) as session:
        waiting, running = jobs.backlog(session)
    return {"ok": True, "waiting": waiting, "running": running}


def writable_check() -> dict[str, Any]:
    """Whether the database accepts a write: a write that changes nothing (the schema's version row set to itself),
    rolled back. A database that answers reads but refuses writes (a read-only or immutable SQLite file, a
    PostgreSQL replica or read-only transaction) would fail every webhook and sign-in while reads look fine."""
    try:
        with get_engine().connect() as conn, conn.begin() as transaction:
            if conn.dialect.name == "postgresql" and conn.execute(text("SELECT pg_is_in_recovery()")).scalar():
                transaction.rollback()
                return {"ok": False, "error": "the database is a read-only replica (in recovery)"}
            conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
            transaction.rollback()
    except Exception as exc:  # any refusal to write means "not ready"
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def backlog_check(threshold: int) -> dict[str, Any]:
    """Replies waiting to leave against the threshold: over it the instance still serves, but degraded."""
    with session_scope(readonly=True) as session:
        waiting = outbox.backlog(session)
    return {"ok": True, "degraded": waiting > threshold, "backlog": waiting, "threshold": threshold}


def age_check(threshold_seconds: float, *, now: datetime) -> dict[str, Any]:
    """The oldest undelivered reply's age against the threshold: older, and guests are waiting (degraded)."""
    with session_scope(readonly=True) as session:
        _waiting, oldest = outbox.backlog_stats(session)
    age = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    return {
        "ok": True,
        "degraded": age > threshold_seconds,
        "oldest_age_seconds": round(age, 1),
        "threshold_seconds": threshold_seconds,
    }
