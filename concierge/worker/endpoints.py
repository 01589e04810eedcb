"""`concierge worker --health-port / --metrics-port`: a small HTTP server beside the worker's loops.

`GET /healthz` answers 200 while every loop is alive and has come round within WORKER_STALL_SECONDS (503 with the
loops' ages otherwise: the container's health check, and an orchestrator's liveness probe, restart it). `GET
/metrics` is the worker's Prometheus registry (on PostgreSQL the turns run here, so this is where their metrics
are); it is served only with `--metrics-port`.
"""

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from concierge.core.metrics_dir import scrape_registry

log = logging.getLogger(__name__)

Health = Callable[[], dict[str, Any]]


class Endpoints:
    """One listening socket serving `/healthz` and, when `metrics` is true, `/metrics`."""

    def __init__(self, host: str, port: int, *, health: Health, metrics: bool) -> None:
        handler = _handler(health=health, metrics=metrics)
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name=f"endpoints-{port}", daemon=True)

    @property
    def port(self) -> int:
        """The bound port (useful when 0 asked the system for a free one)."""
        return int(self.server.server_address[1])

    def start(self) -> "Endpoints":
        """Serve in a daemon thread."""
        self.thread.start()
        log.info("worker endpoints listening", extra={"port": self.port})
        return self

    def close(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()


def _handler(*, health: Health, metrics: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                report = health()
                self._send(200 if report["ok"] else 503, "application/json", json.dumps(report).encode())
            elif path == "/metrics" and metrics:
                self._send(200, CONTENT_TYPE_LATEST, generate_latest(scrape_registry()))
            else:
                self._send(404, "application/json", b'{"detail": "not found"}')

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's signature)
            pass  # probes every few seconds: no access log

    return Handler


def start_endpoints(*, host: str, health_port: int | None, metrics_port: int | None, health: Health) -> list[Endpoints]:
    """The servers the flags ask for: one per distinct port (`/healthz` on each, `/metrics` on the metrics one)."""
    ports: dict[int, bool] = {}
    if health_port is not None:
        ports[health_port] = False
    if metrics_port is not None:
        ports[metrics_port] = True
    return [Endpoints(host, port, health=health, metrics=metrics).start() for port, metrics in ports.items()]
