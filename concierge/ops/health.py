"""Liveness, readiness and metrics endpoints."""

from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from concierge.conversation import outbox
from concierge.core.db import alembic_config, get_engine, session_scope
from concierge.core.settings import get_settings

router = APIRouter(tags=["health"])


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


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz() -> JSONResponse:
    """Readiness: 200 only when every check passes; "degraded" (still 200) while the outbox is backlogged."""
    checks = await run_in_threadpool(readiness)
    ready = all(check["ok"] for check in checks.values())
    degraded = any(check.get("degraded") for check in checks.values())
    status = "unavailable" if not ready else "degraded" if degraded else "ok"
    return JSONResponse({"status": status, "checks": checks}, status_code=200 if ready else 503)


@router.get("/metrics")
def metrics() -> Response:
    """Prometheus text format."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
