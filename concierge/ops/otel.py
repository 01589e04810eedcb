"""Optional OpenTelemetry export of turn traces: on only when OTEL_EXPORTER_OTLP_ENDPOINT is set.

Spans are built from the stored trace after the turn's transaction has committed and are queued for a batch
processor's background thread, so exporting never slows or fails a turn: every error is logged once (no bodies)
and swallowed. This module imports no OpenTelemetry package; `concierge.ops.otel_spans` does, and is imported only
when export is configured.
"""

import logging
import threading
from typing import TYPE_CHECKING, Any

from concierge.conversation import traces
from concierge.core.db import session_scope
from concierge.core.settings import Settings

if TYPE_CHECKING:
    from concierge.ops.otel_spans import SpanWriter

log = logging.getLogger(__name__)


class FailureLog:
    """Logs the first failure of an outage and the recovery, not every failed batch (a down collector is loud)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failing = False

    def failed(self, what: str, **extra: Any) -> None:
        """Record a failure; only the first one since the last success is logged."""
        with self._lock:
            first, self._failing = not self._failing, True
        if first:
            log.warning(
                "OpenTelemetry export failed; further failures are not logged until it recovers",
                extra={"otel_failure": what, **extra},
            )

    def ok(self) -> None:
        """Record a success; the next failure is logged again."""
        with self._lock:
            recovered, self._failing = self._failing, False
        if recovered:
            log.info("OpenTelemetry export recovered")


class TurnExport:
    """Exports recorded turns as spans; nothing it does raises into the turn."""

    def __init__(self, writer: "SpanWriter", failures: FailureLog) -> None:
        self.writer = writer
        self.failures = failures

    def export(self, job_id: int, *, start_ns: int, end_ns: int) -> None:
        """Queue the spans of job `job_id`'s committed trace (wall-clock start and end of the turn in ns)."""
        try:
            with session_scope(readonly=True) as session:
                turn = traces.stored_turn(session, job_id=job_id)
            if turn is not None:
                self.writer.write(turn, start_ns=start_ns, end_ns=end_ns)
        except Exception as exc:  # a span is never worth a turn
            self.failures.failed("build", job_id=job_id, error=type(exc).__name__)

    def flush(self, timeout_seconds: float = 10.0) -> bool:
        """Send the queued spans now; False when they did not all leave in time."""
        try:
            return self.writer.flush(timeout_seconds)
        except Exception as exc:
            self.failures.failed("flush", error=type(exc).__name__)
            return False

    def shutdown(self) -> None:
        """Flush and stop the batch processor (worker and serve shutdown)."""
        try:
            self.writer.shutdown()
        except Exception as exc:
            self.failures.failed("shutdown", error=type(exc).__name__)


def turn_export(settings: Settings) -> TurnExport | None:
    """The exporter when OTEL_EXPORTER_OTLP_ENDPOINT is set and the `otel` extra installed; otherwise None."""
    if not settings.otel_exporter_otlp_endpoint:
        return None
    try:
        from concierge.ops.otel_spans import SpanWriter
    except ImportError as exc:
        log.warning(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but OpenTelemetry is not installed (pip install "
            "'guest-concierge[otel]'): no spans are exported",
            extra={"missing": exc.name},
        )
        return None
    failures = FailureLog()
    return TurnExport(SpanWriter.from_settings(settings, failures=failures), failures)
