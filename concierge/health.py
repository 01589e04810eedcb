"""Liveness, readiness and metrics endpoints."""

from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from concierge.db import get_engine

router = APIRouter(tags=["health"])
ROOT = Path(__file__).resolve().parent.parent


def alembic_config() -> Config:
    """Alembic configuration pointing at the migrations shipped with the project."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    return config


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
    return checks


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz() -> JSONResponse:
    """Readiness: 200 only when every check passes."""
    checks = await run_in_threadpool(readiness)
    ready = all(check["ok"] for check in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status_code=200 if ready else 503
    )


@router.get("/metrics")
def metrics() -> Response:
    """Prometheus text format."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
