"""The worker: runs turn jobs through the graph and delivers the outbox, in-process or as its own command."""

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from concierge import service
from concierge.channels.sender import Sender
from concierge.db import session_scope
from concierge.graph.builder import build_graph
from concierge.graph.state import TurnContext
from concierge.llm.router import Router, parse_providers
from concierge.modelbase import utcnow
from concierge.settings import Settings
from escalation.delivery import Notifier

log = logging.getLogger(__name__)


class TurnRunner:
    """Claims one job at a time, runs its turn on a read-only session, records the result in one transaction."""

    def __init__(self, settings: Settings, now: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.now = now
        self.graph = build_graph()
        self.router = Router(parse_providers(settings.llm_providers))
        self.last_result: dict[str, Any] | None = None  # the final state of the latest turn (evals read it)

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
        try:
            result = self.run_turn(message_id)
            with session_scope() as session:
                service.record_turn(session, job_id=job_id, lease_token=lease_token, now=self.now(), result=result)
            self.last_result = result
        except service.LeaseLost:
            log.warning("lease lost; another worker owns the job", extra={"job_id": job_id})
        except Exception as exc:
            log.exception("turn failed", extra={"job_id": job_id})
            with session_scope() as session:
                service.fail_job(
                    session,
                    job_id=job_id,
                    lease_token=lease_token,
                    error=f"{type(exc).__name__}: {exc}",
                    now=self.now(),
                    max_attempts=self.settings.job_max_attempts,
                )
        return True

    def run_turn(self, message_id: int) -> dict[str, Any]:
        """Run the graph for one message and return its final state."""
        with session_scope(readonly=True) as session:
            context = TurnContext(
                session=session,
                router=self.router,
                now=self.now(),
                retrieval_threshold=self.settings.retrieval_threshold,
                history_messages=self.settings.history_messages,
                max_inbound_chars=self.settings.max_inbound_chars,
            )
            result: dict[str, Any] = self.graph.invoke({"message_id": message_id, "nodes": []}, context=context)
            return result


class Worker:
    """Background threads for turns and deliveries; `wake()` skips the poll wait after new work arrives."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.turns = TurnRunner(settings)
        self.sender = Sender(settings, now=utcnow)
        self.notifier = Notifier(settings, now=utcnow)  # SLA timers, escalation emails and webhooks
        self._stop = threading.Event()
        self._wake = {"turns": threading.Event(), "outbox": threading.Event(), "escalations": threading.Event()}
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the turn and delivery loops."""
        self._threads = [
            threading.Thread(target=self._loop, args=("turns", self.turns.run_next), name="turns", daemon=True),
            threading.Thread(target=self._loop, args=("outbox", self.sender.send_next), name="outbox", daemon=True),
            threading.Thread(
                target=self._loop, args=("escalations", self.notifier.run_next), name="escalations", daemon=True
            ),
        ]
        for thread in self._threads:
            thread.start()

    def wake(self) -> None:
        """New work was stored: look now instead of at the next poll."""
        for event in self._wake.values():
            event.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the work in hand, then stop (unfinished jobs keep their lease and are retried later)."""
        self._stop.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout)

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
                if name in ("turns", "escalations"):
                    self._wake["outbox"].set()
                if name == "turns":
                    self._wake["escalations"].set()
                continue
            wake.wait(self.settings.worker_poll_seconds)

    def run_forever(self) -> None:
        """Run until `stop()` (the `concierge worker` command)."""
        self.start()
        while not self._stop.is_set():
            time.sleep(0.2)
