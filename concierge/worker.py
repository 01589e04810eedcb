"""The worker: runs turn jobs through the graph and delivers the outbox, in-process or as its own command."""

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from concierge import metrics, otel, outbox, service
from concierge.alerts.runner import AlertChecker
from concierge.channels.sender import Sender
from concierge.db import session_scope
from concierge.graph.builder import build_graph
from concierge.graph.state import TurnContext
from concierge.i18n.detect import warm_up
from concierge.llm.router import Router
from concierge.modelbase import utcnow
from concierge.observability import turn_scope
from concierge.releases import service as release_service
from concierge.releases.service import ReleaseConfig
from concierge.settings import Settings
from escalation.delivery import Notifier

log = logging.getLogger(__name__)

BACKLOG_CHECK_SECONDS = 1.0


class TurnRunner:
    """Claims one job at a time, runs its turn on a read-only session, records the result in one transaction."""

    def __init__(self, settings: Settings, now: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.now = now
        self.graph = build_graph()
        self.router = Router.from_settings(settings)  # used until a release is activated
        self.releases: dict[int, tuple[ReleaseConfig, Settings, Router]] = {}  # releases are immutable: cache
        self.last_result: dict[str, Any] | None = None  # the final state of the latest turn (evals read it)
        self.in_flight: tuple[int, str] | None = None  # (job id, lease token) of the turn running now
        self._degraded = False
        self._backlog_checked = -BACKLOG_CHECK_SECONDS
        self.spans = otel.turn_export(settings)  # None unless OTEL_EXPORTER_OTLP_ENDPOINT is set

    def run_next(self) -> bool:
        """Process one due job; False when there is none."""
        with session_scope(readonly=True) as session:  # a read first: claiming takes SQLite's write lock
            if not service.job_due(session, now=self.now()):
                return False
        with session_scope() as session:
            job = service.claim_job(session, now=self.now(), lease_seconds=self.settings.job_lease_seconds)
            claimed = (job.id, job.lease_token, job.message_id) if job else None
        if claimed is None:
            return False
        job_id, lease_token, message_id = claimed
        assert job_id is not None and lease_token is not None
        self.last_result = None
        self.in_flight = (job_id, lease_token)
        started, started_ns = time.perf_counter(), time.time_ns()
        with turn_scope(job_id):  # Sentry events raised by this turn carry its id, never its text
            try:
                result = self.run_turn(message_id)
                with session_scope() as session:
                    service.record_turn(session, job_id=job_id, lease_token=lease_token, now=self.now(), result=result)
                self.last_result = result
                metrics.record_turn(result, seconds=time.perf_counter() - started)
                if self.spans is not None:  # after the commit: spans are built from the stored trace
                    self.spans.export(job_id, start_ns=started_ns, end_ns=time.time_ns())
            except service.LeaseLost:
                log.warning("lease lost; another worker owns the job", extra={"job_id": job_id})
            except Exception as exc:
                log.exception("turn failed", extra={"job_id": job_id})
                try:
                    with session_scope() as session:
                        final = service.fail_job(
                            session,
                            job_id=job_id,
                            lease_token=lease_token,
                            error=f"{type(exc).__name__}: {exc}",
                            now=self.now(),
                            max_attempts=self.settings.job_max_attempts,
                        )
                    if final:
                        metrics.record_escalation("technical_error")
                except service.LeaseLost:  # released at shutdown or taken over after the lease expired
                    log.warning("lease lost; another worker owns the job", extra={"job_id": job_id})
            finally:
                self.in_flight = None
        return True

    def release(self) -> bool:
        """Give the running turn's job back (shutdown deadline passed); its late result will be discarded."""
        in_flight = self.in_flight
        if in_flight is None:
            return False
        with session_scope() as session:
            released = service.release_job(session, job_id=in_flight[0], lease_token=in_flight[1])
        if released:
            log.warning("released an unfinished turn at shutdown", extra={"job_id": in_flight[0]})
        return released

    def close(self) -> None:
        """Flush and stop the span exporter, if any (shutdown)."""
        spans, self.spans = self.spans, None
        if spans is not None:
            spans.shutdown()

    def degraded(self) -> bool:
        """Whether the outbox backlog is over its threshold (checked at most once a second, not per turn)."""
        checked_at = time.monotonic()
        if checked_at - self._backlog_checked >= BACKLOG_CHECK_SECONDS:
            with session_scope(readonly=True) as session:
                self._degraded = outbox.backlog(session) > self.settings.outbox_backlog_degraded
            self._backlog_checked = checked_at
        return self._degraded

    def run_turn(self, message_id: int) -> dict[str, Any]:
        """Run the graph for one message and return its final state."""
        degraded = self.degraded()
        with session_scope(readonly=True) as session:
            release, settings, router = self.active_release(session)
            context = TurnContext(
                session=session,
                router=router,
                now=self.now(),
                retrieval_threshold=settings.retrieval_threshold,
                history_messages=settings.history_messages,
                max_inbound_chars=settings.max_inbound_chars,
                rate_limit_messages=settings.rate_limit_messages,
                rate_limit_window_seconds=settings.rate_limit_window_seconds,
                degraded=degraded,
            )
            result: dict[str, Any] = self.graph.invoke({"message_id": message_id, "nodes": []}, context=context)
            result["release"] = release.trace()
            return result

    def active_release(self, session: Session) -> tuple[ReleaseConfig, Settings, Router]:
        """The release this turn runs with: one small read per turn, so activating one needs no restart."""
        release_id = release_service.active_release_id(session)
        if release_id is None:
            return release_service.environment_config(self.settings), self.settings, self.router
        if release_id not in self.releases:
            release = release_service.config_for(release_service.get_release(session, release_id=release_id))
            settings = release.apply(self.settings)
            self.releases[release_id] = (release, settings, Router.from_settings(settings))
        return self.releases[release_id]


class Worker:
    """Background threads for turns and deliveries; `wake()` skips the poll wait after new work arrives."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.turns = TurnRunner(settings)
        self.sender = Sender(settings, now=utcnow)
        self.notifier = Notifier(settings, now=utcnow)  # SLA timers, escalation emails and webhooks
        self.alerts = AlertChecker(settings, now=utcnow)  # thresholds; admins told once per window
        self._stop = threading.Event()
        self._wake = {
            "turns": threading.Event(),
            "outbox": threading.Event(),
            "escalations": threading.Event(),
            "alerts": threading.Event(),
        }
        self._threads: list[threading.Thread] = []
        # Set from signal handlers: a plain flag, because a handler that takes a lock (Event.set) deadlocks when a
        # second signal lands while the first handler holds it.
        self._stop_requested = False

    def request_stop(self) -> None:
        """Ask `run_forever` to stop (safe in a signal handler: no locks); it drains as `stop()` does."""
        self._stop_requested = True

    def start(self) -> None:
        """Start the turn and delivery loops."""
        self._threads = [
            threading.Thread(target=self._loop, args=("turns", self.turns.run_next), name="turns", daemon=True),
            threading.Thread(target=self._loop, args=("outbox", self.sender.send_next), name="outbox", daemon=True),
            threading.Thread(
                target=self._loop, args=("escalations", self.notifier.run_next), name="escalations", daemon=True
            ),
            threading.Thread(target=self._loop, args=("alerts", self.alerts.run_next), name="alerts", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def wake(self) -> None:
        """New work was stored: look now instead of at the next poll."""
        for event in self._wake.values():
            event.set()

    def stop(self, timeout: float | None = None) -> None:
        """Stop claiming work; give work in hand until the deadline, then release unfinished turns.

        A delivery still in flight at the deadline stays "sending" and is reconciled before any resend.
        """
        deadline = time.monotonic() + (self.settings.shutdown_timeout_seconds if timeout is None else timeout)
        self._stop.set()
        self.wake()
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if any(thread.is_alive() for thread in self._threads):
            self.turns.release()
        self.turns.close()  # queued spans leave before the process does

    def _loop(self, name: str, step: Callable[[], bool]) -> None:
        wake = self._wake[name]
        if name == "turns":
            # Load the language detector's models here, not at startup: the app answers health checks at once,
            # and only a turn that arrives in the first second waits for them.
            try:
                warm_up()
            except Exception:  # the turn itself will try again and fail visibly
                log.exception("language detector warm-up failed")
        while not self._stop.is_set():
            wake.clear()  # before the step, so work stored during it is not missed
            try:
                did_work = step()
            except Exception:  # the database may be briefly unavailable: keep the loop alive
                log.exception("worker step failed", extra={"loop": name})
                did_work = False
            if did_work:
                if name in ("turns", "escalations", "alerts"):
                    self._wake["outbox"].set()
                if name == "turns":
                    self._wake["escalations"].set()
                continue
            wake.wait(self.settings.worker_poll_seconds)

    def run_forever(self) -> None:
        """Run until `stop()` or `request_stop()` (the `concierge worker` command)."""
        self.start()
        log.info("worker started")
        while not self._stop.is_set():
            if self._stop_requested:
                log.info("stopping worker")
                self.stop()
                break
            time.sleep(0.2)
