"""OTLP spans from a stored turn trace: a "turn" root, one child per graph node, model calls under "respond".

Imported only when OTEL_EXPORTER_OTLP_ENDPOINT is set (see `concierge.ops.otel`). Attributes carry ids, slugs,
decisions, timings, tokens and cost, like the trace itself: never a message body or a phone number.
"""

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import Span, Status, StatusCode, Tracer

from concierge.conversation.traces import StoredTurn
from concierge.core.settings import Settings
from concierge.ops.otel import FailureLog

SCOPE = "concierge.turns"
SCHEDULE_DELAY_MILLIS = 2000  # a batch leaves at least this often; shutdown sends what is left
Attributes = dict[str, str | bool | int | float]


class GuardedExporter(SpanExporter):
    """The OTLP exporter, with failures logged once per outage by us instead of once per batch by it."""

    def __init__(self, inner: SpanExporter, failures: FailureLog) -> None:
        self.inner = inner
        self.failures = failures

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Send one batch; never raises."""
        try:
            result = self.inner.export(spans)
        except Exception as exc:
            self.failures.failed("export", error=type(exc).__name__)
            return SpanExportResult.FAILURE
        if result is SpanExportResult.SUCCESS:
            self.failures.ok()
        else:
            self.failures.failed("export", spans=len(spans))
        return result

    def shutdown(self) -> None:
        """Close the exporter's HTTP session."""
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Nothing is buffered here; the batch processor holds the queue."""
        return self.inner.force_flush(timeout_millis)


class SpanWriter:
    """A private tracer provider (the global one is left alone) with one batch processor to the collector."""

    def __init__(self, provider: TracerProvider) -> None:
        self.provider = provider
        self.tracer: Tracer = provider.get_tracer(SCOPE)

    @classmethod
    def from_settings(cls, settings: Settings, *, failures: FailureLog) -> "SpanWriter":
        """OTLP/HTTP (protobuf) to `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`, batched in a background thread."""
        assert settings.otel_exporter_otlp_endpoint
        timeout = settings.otel_export_timeout_seconds
        exporter = OTLPSpanExporter(
            endpoint=settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces",
            headers=settings.otel_headers,
            timeout=timeout,
        )
        # Its own log line per failed batch would repeat every few seconds while a collector is down, and quotes
        # the collector's response: the guard above logs once instead.
        logging.getLogger(OTLPSpanExporter.__module__).setLevel(logging.CRITICAL)
        provider = TracerProvider(resource=Resource({"service.name": settings.otel_service_name}))
        provider.add_span_processor(
            BatchSpanProcessor(
                GuardedExporter(exporter, failures),
                schedule_delay_millis=SCHEDULE_DELAY_MILLIS,
                export_timeout_millis=timeout * 1000,
            )
        )
        return cls(provider)

    def write(self, turn: StoredTurn, *, start_ns: int, end_ns: int) -> None:
        """Queue the turn's spans: node and call times are the trace's offsets from the turn's start."""
        data = turn.data
        nodes = data.get("nodes") or []
        last_node_end = max((start_ns + _ns(n.get("start_ms", 0)) + _ns(n.get("ms", 0)) for n in nodes), default=0)
        root = self.tracer.start_span("turn", start_time=start_ns, attributes=turn_attributes(turn))
        parent = trace.set_span_in_context(root)
        for node in nodes:
            node_start = start_ns + _ns(node.get("start_ms", 0))
            span = self.tracer.start_span(
                str(node["node"]), context=parent, start_time=node_start, attributes={"concierge.node": node["node"]}
            )
            if node["node"] == "respond":
                self._calls(span, data.get("llm") or {}, turn_start_ns=start_ns, default_start_ns=node_start)
            span.end(end_time=node_start + _ns(node.get("ms", 0)))
        root.end(end_time=max(end_ns, last_node_end))

    def _calls(self, respond: Span, llm: Mapping[str, Any], *, turn_start_ns: int, default_start_ns: int) -> None:
        parent = trace.set_span_in_context(respond)
        base = turn_start_ns + _ns(llm["start_ms"]) if "start_ms" in llm else default_start_ns
        for call in llm.get("calls") or []:
            start = base + _ns(call.get("at_ms", 0))  # calls skipped (deadline, breaker) have no time: 0 ms
            model = call.get("model") or call.get("provider") or "model"
            span = self.tracer.start_span(f"chat {model}", context=parent, start_time=start)
            span.set_attributes(call_attributes(call))
            if call.get("error"):
                span.set_status(Status(StatusCode.ERROR, str(call["error"])))
            span.end(end_time=start + _ns(call.get("ms", 0)))

    def flush(self, timeout_seconds: float) -> bool:
        """Export every queued span now."""
        return self.provider.force_flush(int(timeout_seconds * 1000))

    def shutdown(self) -> None:
        """Flush, then stop the processor's thread."""
        self.provider.shutdown()


def turn_attributes(turn: StoredTurn) -> Attributes:
    """The root span's attributes: where and how the turn went, what it cost; the guest only as a hash."""
    data = turn.data
    llm = data.get("llm") or {}
    release = data.get("release") or {}
    return _present(
        {
            "concierge.turn.id": turn.job_id,
            "concierge.conversation.id": turn.conversation_id,
            "concierge.property.slug": turn.property_slug,
            "concierge.channel": turn.channel,
            "concierge.guest": data.get("guest"),
            "concierge.language": data.get("language"),
            "concierge.knowledge.version": data.get("knowledge_version"),
            "concierge.release.id": release.get("id"),
            "concierge.release.name": release.get("name"),
            "concierge.outcome": data.get("outcome") or data.get("decision"),
            "concierge.decision": data.get("decision"),
            "concierge.escalate": data.get("escalate"),
            "concierge.responder": data.get("responder"),
            "concierge.route": llm.get("route"),
            "concierge.fallback": bool(llm.get("fallback", False)),
            "concierge.degraded": bool(data.get("degraded", False)),
            "concierge.cost_usd": float(llm.get("cost_usd") or 0.0),
            "concierge.reply.sent": bool((data.get("reply") or {}).get("sent", False)),
        }
    )


def call_attributes(call: Mapping[str, Any]) -> Attributes:
    """A model call in the GenAI semantic conventions' names, plus our prompt, attempt and outcome."""
    prompt_id, _sep, version = str(call.get("prompt") or "").partition("@")
    vendor = call.get("vendor") or str(call.get("provider", "")).partition(":")[0]
    return _present(
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.system": vendor,
            "gen_ai.provider.name": vendor,
            "gen_ai.request.model": call.get("model"),
            "gen_ai.usage.input_tokens": call.get("input_tokens"),
            "gen_ai.usage.output_tokens": call.get("output_tokens"),
            "error.type": call.get("outcome") if call.get("error") else None,
            "http.response.status_code": call.get("status"),
            "concierge.llm.provider": call.get("provider"),
            "concierge.llm.purpose": call.get("purpose", "answer"),
            "concierge.llm.attempt": call.get("attempt"),
            "concierge.llm.retry": bool(call.get("retry", False)),
            "concierge.llm.outcome": call.get("outcome"),
            "concierge.llm.error": call.get("error"),
            "concierge.llm.cost_usd": call.get("cost_usd"),
            "concierge.prompt.id": prompt_id or None,
            "concierge.prompt.version": int(version) if version.isdigit() else None,
        }
    )


def _present(values: Mapping[str, Any]) -> Attributes:
    # OpenTelemetry attributes cannot be None: an unknown value is simply absent.
    return {k: v for k, v in values.items() if v is not None and v != ""}


def _ns(ms: Any) -> int:
    return int(float(ms) * 1_000_000)
