"""The worker: background loops for turns, deliveries, escalation timers and alerts, in-process or as a command."""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from concierge.channels.sender import Sender
from concierge.core.modelbase import utcnow
from concierge.core.settings import Settings
from concierge.i18n.detect import warm_up
from concierge.ops.alerts.runner import AlertChecker
from concierge.turn.runner import TurnRunner
from escalation.delivery import Notifier

log = logging.getLogger(__name__)


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
        self._beats: dict[str, float] = {}  # loop name → when it last came round (the health probe reads it)
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
            self._beats[name] = time.monotonic()
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

    def health(self) -> dict[str, Any]:
        """Healthy while every loop runs and came round within WORKER_STALL_SECONDS; each loop's age in seconds."""
        now = time.monotonic()
        limit = max(self.settings.worker_stall_seconds, 2 * self.settings.worker_poll_seconds)  # idle loops wait a poll
        loops = {}
        for thread in self._threads:
            beat = self._beats.get(thread.name)
            age = None if beat is None else round(now - beat, 1)
            stalled = age is not None and age > limit
            loops[thread.name] = {"alive": thread.is_alive() and not stalled, "age_seconds": age}
        ok = bool(loops) and all(loop["alive"] for loop in loops.values()) and not self._stop.is_set()
        return {"ok": ok, "status": "ok" if ok else "starting" if not loops else "unhealthy", "loops": loops}

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
