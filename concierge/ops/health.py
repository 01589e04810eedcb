"""Liveness, readiness and metrics endpoints (the checks themselves are in concierge/ops/readiness.py)."""

import hmac
import ipaddress

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from concierge.core.metrics_dir import scrape_registry
from concierge.core.settings import get_settings
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


def metrics_allowed(request: Request) -> bool:
    """Loopback clients (a local Prometheus or agent), or anyone with `Authorization: Bearer METRICS_TOKEN`.

    Behind a reverse proxy on the same host, uvicorn's proxy headers make the client the real one, so the proxy's
    loopback address does not open /metrics to the world."""
    token = get_settings().metrics_token
    given = request.headers.get("authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        return request.client is not None and ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:  # not an address (a test client's name)
        return False


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus text format, for loopback or the bearer token only (404 for anyone else: nothing to find): this
    process's samples, and on `serve` with a worker child the child's too."""
    if not metrics_allowed(request):
        return Response("not found", status_code=404, media_type="text/plain")
    return Response(generate_latest(scrape_registry()), media_type=CONTENT_TYPE_LATEST)
