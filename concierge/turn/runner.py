"""The turn runner: claims a job, runs its turn on a read-only session, records the result in one transaction."""

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from concierge.conversation import jobs, outbox
from concierge.core import metrics
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.core.observability import turn_scope
from concierge.core.settings import Settings
from concierge.llm.router import Router
from concierge.ops import otel
from concierge.ops.releases import service as release_service
from concierge.ops.releases.service import ReleaseConfig
from concierge.turn import record
from concierge.turn.builder import build_graph
from concierge.turn.result import TurnResult
from concierge.turn.state import CpuSlots, TurnContext

log = logging.getLogger(__name__)

BACKLOG_CHECK_SECONDS = 1.0
# The active release is read at most this often (and at once after an activation or rollback in this process): a
# worker in another process follows an activation within this time, with no restart and no read per turn.
RELEASE_CHECK_SECONDS = 1.0


Claimed = jobs.Lease  # a job this runner leased: its turn may now run (on any thread)


class TurnRunner:
    """Claims jobs, runs each turn on a read-only session, records its result in one transaction."""

    def __init__(
        self, settings: Settings, now: Callable[[], datetime] = utcnow, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self.now = now
        self.monotonic = monotonic
        self.graph = build_graph()
        self.router = Router.from_settings(settings)  # used until a release is activated
        self.releases: dict[int, tuple[ReleaseConfig, Settings, Router]] = {}  # releases are immutable: cache
        self._release_id: int | None = None  # the active release as last read, when, and after which activation
        self._release_checked = -RELEASE_CHECK_SECONDS
        self._release_changes = -1
        self.last_result: TurnResult | None = None  # the result of `run_next`'s turn (evals read it)
        self.in_flight: dict[int, str] = {}  # job id -> lease token of every turn running now
        self._lock = threading.Lock()  # guards in_flight: turns run on several threads (WORKER_CONCURRENCY)
        self._degraded = False
        self.slots = CpuSlots(settings.worker_cpu_turns)
        self._busy = False  # the last claim found a job (claims come from one thread: the pool's claiming loop)
        self._backlog_checked = -BACKLOG_CHECK_SECONDS
        self.spans = otel.turn_export(settings)  # None unless OTEL_EXPORTER_OTLP_ENDPOINT is set

    def run_next(self) -> bool:
        """Claim and process one due job, here and now; False when there is none (tests, evals, the terminal)."""
        claimed = self.claim()
        if claimed is None:
            return False
        self.last_result = self.process(claimed)
        return True

    def claim(self) -> Claimed | None:
        """Lease the next due job (never one whose conversation has a turn running), or None."""
        # A CPU slot first, so a claimed job never waits in this process (its lease runs, and claim → recorded
        # measures the turn); `process` gives it back.
        if not self.slots.take(timeout=self.settings.worker_poll_seconds):
            return None
        try:
            claimed = self._claim()
        except BaseException:
            self.slots.give()
            raise
        if claimed is None:
            self.slots.give()
            return None
        with self._lock:
            self.in_flight[claimed.job_id] = claimed.lease_token
        return claimed

    def _claim(self) -> Claimed | None:
        if not self._busy:  # an idle queue is looked at with a read: claiming takes SQLite's write lock
            with session_scope(readonly=True) as session:
                if not jobs.job_due(session, now=self.now()):
                    return None
        with session_scope(redoable=True) as session:  # a claim lost in a crash is claimed again
            lease = jobs.lease_next_job(session, now=self.now(), lease_seconds=self.settings.job_lease_seconds)
            # While claims find jobs (a burst), the next claim skips that read: two statements fewer per turn.
            self._busy = lease is not None
            return lease

    def process(self, claimed: Claimed) -> TurnResult | None:
        """Run a claimed job's turn and record it, in the CPU slot its claim took; None when it failed or its lease
        was lost. Thread-safe."""
        job_id, lease_token = claimed.job_id, claimed.lease_token
        started, started_ns = time.perf_counter(), time.time_ns()
        with turn_scope(job_id):  # Sentry events raised by this turn carry its id, never its text
            try:
                try:  # in the CPU slot `claim` took; a model call gives it up meanwhile
                    result = self.run_turn(claimed.message_id)
                    # Redoable: a result lost in a crash was never delivered (the sender's claim is durable), so
                    # the turn runs again once its lease ends.
                    with session_scope(redoable=True) as session:
                        record.record_turn(session, job=claimed, now=self.now(), result=result)
                finally:
                    self.slots.give()
                metrics.record_turn(result, seconds=time.perf_counter() - started)
                if self.spans is not None:  # after the commit: spans are built from the stored trace
                    self.spans.export(job_id, start_ns=started_ns, end_ns=time.time_ns())
                return result
            except jobs.LeaseLost:
                log.warning("lease lost; another worker owns the job", extra={"job_id": job_id})
            except Exception as exc:
                log.exception("turn failed", extra={"job_id": job_id})
                try:
                    with session_scope() as session:
                        final = record.fail_turn(
                            session,
                            job_id=job_id,
                            lease_token=lease_token,
                            error=f"{type(exc).__name__}: {exc}",
                            now=self.now(),
                            max_attempts=self.settings.job_max_attempts,
                        )
                    if final:
                        metrics.record_escalation("technical_error")
                except jobs.LeaseLost:  # released at shutdown or taken over after the lease expired
                    log.warning("lease lost; another worker owns the job", extra={"job_id": job_id})
            finally:
                with self._lock:
                    self.in_flight.pop(job_id, None)
        return None

    def release(self) -> int:
        """Give every running turn's job back (shutdown deadline passed); their late results are discarded."""
        with self._lock:
            in_flight = list(self.in_flight.items())
        released = 0
        for job_id, lease_token in in_flight:
            with session_scope() as session:
                if jobs.release_job(session, job_id=job_id, lease_token=lease_token):
                    released += 1
                    log.warning("released an unfinished turn at shutdown", extra={"job_id": job_id})
        return released

    def close(self) -> None:
        """Flush and stop the span exporter, if any (shutdown)."""
        spans, self.spans = self.spans, None
        if spans is not None:
            spans.shutdown()

    def degraded(self) -> bool:
        """Whether the outbox backlog is over its threshold (checked at most once a second, not per turn)."""
        checked_at = self.monotonic()
        if checked_at - self._backlog_checked >= BACKLOG_CHECK_SECONDS:
            with session_scope(readonly=True) as session:
                self._degraded = outbox.backlog(session) > self.settings.outbox_backlog_degraded
            self._backlog_checked = checked_at
        return self._degraded

    def run_turn(self, message_id: int) -> TurnResult:
        """Run the graph for one message and return its result."""
        degraded = self.degraded()
        with session_scope(readonly=True) as session:
            release, settings, router = self.active_release(session)
            context = TurnContext(
                session=session,
                router=router,
                now=self.now(),
                retrieval_threshold=settings.retrieval_threshold,
                history_messages=settings.history_messages,
                context_tokens=settings.llm_context_tokens,
                max_inbound_chars=settings.max_inbound_chars,
                rate_limit_messages=settings.rate_limit_messages,
                rate_limit_window_seconds=settings.rate_limit_window_seconds,
                handoff_ack_minutes=settings.handoff_ack_minutes,
                handoff_ack_interval_minutes=settings.handoff_ack_interval_minutes,
                degraded=degraded,
                slots=self.slots,
                reads_end_before_model=True,
            )
            return self.graph.run(message_id, context=context, release=release.trace())

    def active_release(self, session: Session) -> tuple[ReleaseConfig, Settings, Router]:
        """The release this turn runs with, read at most once per RELEASE_CHECK_SECONDS (at once after an activation
        in this process), so activating one needs no restart."""
        checked_at, changes = self.monotonic(), release_service.changes()
        if checked_at - self._release_checked >= RELEASE_CHECK_SECONDS or changes != self._release_changes:
            self._release_id = release_service.active_release_id(session)
            self._release_checked, self._release_changes = checked_at, changes
        release_id = self._release_id
        if release_id is None:
            return release_service.environment_config(self.settings), self.settings, self.router
        if release_id not in self.releases:
            release = release_service.config_for(release_service.get_release(session, release_id=release_id))
            settings = release.apply(self.settings)
            self.releases[release_id] = (release, settings, Router.from_settings(settings))
        return self.releases[release_id]
