"""Liveness, readiness and metrics endpoints (the checks themselves are in concierge/ops/readiness.py)."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from concierge.core.metrics_dir import scrape_registry
from concierge.ops.readiness import readiness

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz() -> JSONResponse:
    """Readiness: 200 only when every check passes; "degraded" (still 200) while the outbox is backlogged or late."""
    checks = await run_in_threadpool(readiness)
    ready = all(check["ok"] for check in checks.values())
    degraded = any(check.get("degraded") for check in checks.values())
    status = "unavailable" if not ready else "degraded" if degraded else "ok"
    return JSONResponse({"status": status, "checks": checks}, status_code=200 if ready else 503)


@router.get("/metrics")
def metrics() -> Response:
    """Prometheus text format: this process's samples, and on `serve` with a worker child the child's too."""
    return Response(generate_latest(scrape_registry()), media_type=CONTENT_TYPE_LATEST)
