"""A local OpenTelemetry collector over real HTTP on loopback: accepts OTLP/HTTP protobuf at POST /v1/traces.

with FakeCollector() as collector:
    ...  # OTEL_EXPORTER_OTLP_ENDPOINT=collector.endpoint
    collector.wait_for(spans=9)
    collector.spans  # every span received, decoded with opentelemetry-proto
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span


def value(any_value: AnyValue) -> Any:
    """The Python value of an OTLP attribute value."""
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


@dataclass
class Received:
    """One decoded span with its resource's attributes."""

    span: Span
    resource: dict[str, Any]
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The span's name."""
        return self.span.name


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, collector: FakeCollector) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.collector = collector


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        collector = self.server.collector
        if self.path != "/v1/traces":
            self.send_response(404)
            self.end_headers()
            return
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        collector.record(body, dict(self.headers), request)
        payload = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeCollector:
    """Records every OTLP trace export it receives: raw bodies, headers and decoded spans."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.headers: list[dict[str, str]] = []
        self.spans: list[Received] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None

    @property
    def endpoint(self) -> str:
        """The base URL to configure as OTEL_EXPORTER_OTLP_ENDPOINT."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def record(self, body: bytes, headers: dict[str, str], request: ExportTraceServiceRequest) -> None:
        """Keep one export request."""
        received = []
        for resource_spans in request.resource_spans:
            resource = {a.key: value(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    attributes = {a.key: value(a.value) for a in span.attributes}
                    received.append(Received(span=span, resource=resource, attributes=attributes))
        with self._lock:
            self.bodies.append(body)
            self.headers.append({k.lower(): v for k, v in headers.items()})
            self.spans.extend(received)

    def wait_for(self, *, spans: int, timeout: float = 10.0) -> list[Received]:
        """The spans received once there are at least `spans` of them (or the timeout passes)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.spans) >= spans:
                    return list(self.spans)
            time.sleep(0.02)
        with self._lock:
            return list(self.spans)

    def __enter__(self) -> FakeCollector:
        self._server = _Server(self)
        threading.Thread(target=self._server.serve_forever, name="fake-otlp", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
