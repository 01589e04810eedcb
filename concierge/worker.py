"""The worker: runs turn jobs through the graph and delivers the outbox, in-process or as its own command."""

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from concierge import outbox, service
from concierge.channels.sender import Sender
from concierge.db import session_scope
from concierge.graph.builder import build_graph
from concierge.graph.state import TurnContext
from concierge.llm.router import Router, parse_providers
from concierge.modelbase import utcnow
from concierge.settings import Settings

log = logging.getLogger(__name__)

BACKLOG_CHECK_SECONDS = 1.0


class TurnRunner:
    """Claims one job at a time, runs its turn on a read-only session, records the result in one transaction."""

    def __init__(self, settings: Settings, now: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.now = now
        self.graph = build_graph()
        self.router = Router(parse_providers(settings.llm_providers))
        self.last_result: dict[str, Any] | None = None  # the final state of the latest turn (evals read it)
        self.in_flight: tuple[int, str] | None = None  # (job id, lease token) of the turn running now
        self._degraded = False
        self._backlog_checked = -BACKLOG_CHECK_SECONDS

    def run_next(self) -> bool:
        """Process one due job; False when there is none."""
        with session_scope() as session:
            job = service.claim_job(session, now=self.now(), lease_seconds=self.settings.job_lease_seconds)
            claimed = (job.id, job.lease_token, job.message_id) if job else None
        if claimed is None:
            return False
        job_id, lease_token, message_id = claimed
        assert job_id is not None and lease_token is not None
        self.last_result = None
        self.in_flight = (job_id, lease_token)
        try:
            result = self.run_turn(message_id)
            with session_scope() as session:
                service.record_turn(session, job_id=job_id, lease_token=lease_token, now=self.now(), result=result)
            self.last_result = result
        except service.LeaseLost:
            log.warning("lease lost; another worker owns the job", extra={"job_id": job_id})
        except Exception as exc:
            log.exception("turn failed", extra={"job_id": job_id})
            try:
                with session_scope() as session:
                    service.fail_job(
                        session,
                        job_id=job_id,
                        lease_token=lease_token,
                        error=f"{type(exc).__name__}: {exc}",
                        now=self.now(),
                        max_attempts=self.settings.job_max_attempts,
                    )
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
            context = TurnContext(
                session=session,
                router=self.router,
                now=self.now(),
                retrieval_threshold=self.settings.retrieval_threshold,
                history_messages=self.settings.history_messages,
                max_inbound_chars=self.settings.max_inbound_chars,
                degraded=degraded,
            )
            result: dict[str, Any] = self.graph.invoke({"message_id": message_id, "nodes": []}, context=context)
            return result


class Worker:
    """Background threads for turns and deliveries; `wake()` skips the poll wait after new work arrives."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.turns = TurnRunner(settings)
        self.sender = Sender(settings, now=utcnow)
        self._stop = threading.Event()
        self._wake = {"turns": threading.Event(), "outbox": threading.Event()}
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the turn and delivery loops."""
        self._threads = [
            threading.Thread(target=self._loop, args=("turns", self.turns.run_next), name="turns", daemon=True),
            threading.Thread(target=self._loop, args=("outbox", self.sender.send_next), name="outbox", daemon=True),
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

    def _loop(self, name: str, step: Callable[[], bool]) -> None:
        wake = self._wake[name]
        while not self._stop.is_set():
            wake.clear()  # before the step, so work stored during it is not missed
            try:
                did_work = step()
            except Exception:  # the database may be briefly unavailable: keep the loop alive
                log.exception("worker step failed", extra={"loop": name})
                did_work = False
            if did_work:
                if name == "turns":
                    self._wake["outbox"].set()
                continue
            wake.wait(self.settings.worker_poll_seconds)

    def run_forever(self) -> None:
        """Run until `stop()` (the `concierge worker` command)."""
        self.start()
        log.info("worker started")
        while not self._stop.is_set():
            time.sleep(0.2)
