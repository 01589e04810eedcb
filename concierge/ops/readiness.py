"""Readiness checks: the database answers, its schema is at the newest migration, the outbox is not backlogged.

Each check opens its own connection or read-only transaction: what it tests is whether the database can be
reached at all, so it cannot borrow a request's session.
"""

from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from concierge.conversation import outbox
from concierge.core.db import alembic_config, get_engine, session_scope
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
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    checks["migrations"] = {"ok": current == heads, "current": sorted(current), "head": sorted(heads)}
    if checks["migrations"]["ok"]:
        checks["outbox_backlog"] = backlog_check(get_settings().outbox_backlog_degraded)
    return checks


def backlog_check(threshold: int) -> dict[str, Any]:
    """Replies waiting to leave against the threshold: over it the instance still serves, but degraded."""
    with session_scope(readonly=True) as session:
        waiting = outbox.backlog(session)
    return {"ok": True, "degraded": waiting > threshold, "backlog": waiting, "threshold": threshold}
