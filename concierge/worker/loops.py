"""The worker: background loops for turns, deliveries, escalation timers and alerts, in-process or as a command."""

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from concierge.channels.sender import Sender
from concierge.core.modelbase import utcnow
from concierge.core.settings import Settings
from concierge.i18n.detect import warm_up
from concierge.ops.alerts.runner import AlertChecker
from concierge.turn.result import TurnResult
from concierge.turn.runner import TurnRunner
from escalation.delivery import Notifier

log = logging.getLogger(__name__)
MAX_ERROR_WAIT_SECONDS = 30.0
ERROR_LOG_INTERVAL_SECONDS = 60.0


class RepeatedErrors:
    """A loop's failures: the same error again waits longer each time (doubling up to MAX_ERROR_WAIT_SECONDS) and
    is logged once per ERROR_LOG_INTERVAL_SECONDS with how often it repeated, not several times a second."""

    def __init__(self, loop: str, *, base_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.loop = loop
        self.base = max(base_seconds, 0.05)
        self.clock = clock
        self.signature: tuple[str, str] | None = None
        self.repeats = 0  # failures with this signature since it was last logged
        self.streak = 0  # failures in a row, for the wait
        self.logged_at = 0.0

    def failed(self, exc: Exception) -> float:
        """Log the error if it is new or its interval has passed; returns how long the loop should wait."""
        signature = (type(exc).__name__, str(exc)[:200])
        now = self.clock()
        self.streak += 1
        if signature != self.signature or now - self.logged_at >= ERROR_LOG_INTERVAL_SECONDS:
            log.error(
                "worker step failed",
                exc_info=exc,
                extra={"loop": self.loop, "repeated": self.repeats, "failures_in_a_row": self.streak},
            )
            self.signature, self.repeats, self.logged_at = signature, 0, now
        else:
            self.repeats += 1
        return float(min(MAX_ERROR_WAIT_SECONDS, self.base * 2 ** min(self.streak - 1, 16)))

    def succeeded(self) -> None:
        """The step worked: the next failure is new again and waits only the base time."""
        if self.streak:
            log.info("worker step recovered", extra={"loop": self.loop, "failures_in_a_row": self.streak})
        self.signature, self.repeats, self.streak = None, 0, 0


def may_concern_staff(result: TurnResult | None) -> bool:
    """Whether a finished turn may have queued work for the escalation loop (an escalation's notifications, a
    disputed reply's mark, a budget alert, a turn that failed); an answered question has none.

    The loop polls anyway (WORKER_POLL_SECONDS), so a case missed here waits one poll, never longer.
    """
    if result is None:
        return True
    return bool(result.escalation or result.disputes_reply or (result.trace.llm or {}).get("budget_exceeded"))


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
        """Start the loops: turns and deliveries each on a pool of threads, timers and alerts on one thread each."""
        self._threads = [
            *self._pool("turns", self.turns.claim, self.turns.process, self.settings.worker_concurrency),
            *self._pool("outbox", self.sender.claim, self.sender.deliver, self.settings.sender_concurrency),
            threading.Thread(
                target=self._loop, args=("escalations", self.notifier.run_next), name="escalations", daemon=True
            ),
            threading.Thread(target=self._loop, args=("alerts", self.alerts.run_next), name="alerts", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def wake(self) -> None:
        """A guest's message was stored: claim its turn now instead of at the next poll.

        Only the turn loop: the turn wakes the sender (its reply) and, when it concerns staff, the escalation loop.
        Waking every loop for every webhook ran the escalation loop's reads once per message for nothing
        (docs/benchmarks.md, "Concurrent turns", fifth pass).
        """
        self._wake["turns"].set()

    def stop(self, timeout: float | None = None) -> None:
        """Stop claiming work; give work in hand until the deadline, then release unfinished turns.

        A delivery in flight is waited for past the deadline, up to the sender's own limit (its requests time out
        after TWILIO_TIMEOUT_SECONDS): it ends recorded as sent or due again, and no delivery thread outlives the
        stop to log into a closed stream. Only one still running after that (a process killed meanwhile, a request
        that ignored its timeout) stays "sending", and is reconciled before any resend.
        """
        deadline = time.monotonic() + (self.settings.shutdown_timeout_seconds if timeout is None else timeout)
        self._stop.set()
        for event in self._wake.values():
            event.set()
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if any(thread.is_alive() for thread in self._threads):
            self.turns.release()  # every turn still running; its late result is discarded
        for thread in self._threads:
            if thread.name.split("-")[0] == "outbox":  # a turn can be given up, a reply half sent cannot
                thread.join(max(0.0, deadline + self.sender.stale_after - time.monotonic()))
        self.turns.close()  # queued spans leave before the process does

    def _loop(self, name: str, step: Callable[[], bool]) -> None:
        wake = self._wake[name]
        errors = RepeatedErrors(name, base_seconds=self.settings.worker_poll_seconds)
        while not self._stop.is_set():
            self._beats[name] = time.monotonic()
            wake.clear()  # before the step, so work stored during it is not missed
            try:
                did_work = step()
            except Exception as exc:  # the database may be unavailable for a while: keep the loop alive, calmly
                self._stop.wait(errors.failed(exc))
                continue
            errors.succeeded()
            if did_work:
                self._did_work(name)
                continue
            wake.wait(self.settings.worker_poll_seconds)

    def _pool(
        self, name: str, claim: Callable[[], Any], work: Callable[[Any], Any], size: int
    ) -> list[threading.Thread]:
        """A claiming thread and `size` working threads: claims only while a worker is free, so nothing claimed
        waits behind a busy pool (a claim is a lease); the queues' claims keep each conversation in order."""
        claimed: queue.Queue[Any] = queue.Queue()
        free = threading.Semaphore(size)

        def claiming() -> None:
            if name == "turns":
                # Load the language detector's models here, not at startup: the app answers health checks at once,
                # and only a turn that arrives in the first second waits for them.
                try:
                    warm_up()
                except Exception:  # the turn itself will try again and fail visibly
                    log.exception("language detector warm-up failed")
            wake = self._wake[name]
            errors = RepeatedErrors(name, base_seconds=self.settings.worker_poll_seconds)
            while not self._stop.is_set():
                self._beats[name] = time.monotonic()
                if not free.acquire(timeout=self.settings.worker_poll_seconds):
                    continue  # every worker is busy; a finished item frees one
                wake.clear()  # before the claim, so work stored during it is not missed
                try:
                    item = claim()
                except Exception as exc:  # the database may be unavailable for a while: keep claiming, calmly
                    free.release()
                    self._stop.wait(errors.failed(exc))
                    continue
                errors.succeeded()
                if item is None:
                    free.release()
                    wake.wait(self.settings.worker_poll_seconds)
                    continue
                claimed.put(item)
            for _ in range(size):
                claimed.put(None)  # each working thread finishes its item, then stops

        def working() -> None:
            me = threading.current_thread().name
            while (item := claimed.get()) is not None:
                self._beats[me] = time.monotonic()  # an item running past WORKER_STALL_SECONDS is a stuck loop
                outcome = None
                try:
                    outcome = work(item)
                except Exception:
                    log.exception("worker step failed", extra={"loop": name})
                finally:
                    self._beats.pop(me, None)  # idle: waiting for work is not stalling
                    free.release()
                self._did_work(name, outcome)

        workers = [threading.Thread(target=working, name=f"{name}-{i}", daemon=True) for i in range(size)]
        return [threading.Thread(target=claiming, name=name, daemon=True), *workers]

    def _did_work(self, name: str, outcome: object = None) -> None:
        """A step produced work for other loops (a turn queues a reply and may open an escalation)."""
        if name in ("turns", "escalations", "alerts"):
            self._wake["outbox"].set()
        if name == "turns" and may_concern_staff(outcome if isinstance(outcome, TurnResult) else None):
            self._wake["escalations"].set()

    def health(self) -> dict[str, Any]:
        """Healthy while every loop runs and came round within WORKER_STALL_SECONDS; each loop's age in seconds."""
        now = time.monotonic()
        limit = max(self.settings.worker_stall_seconds, 2 * self.settings.worker_poll_seconds)  # idle loops wait a poll
        loops: dict[str, dict[str, Any]] = {}
        for thread in self._threads:  # a pool's threads ("turns", "turns-0" …) report as one loop
            beat = self._beats.get(thread.name)
            age = None if beat is None else round(now - beat, 1)
            alive = thread.is_alive() and not (age is not None and age > limit)
            loop = loops.setdefault(thread.name.split("-")[0], {"alive": True, "age_seconds": None})
            loop["alive"] = loop["alive"] and alive
            if age is not None and (loop["age_seconds"] is None or age > loop["age_seconds"]):
                loop["age_seconds"] = age  # the oldest: a stuck turn shows, however many others are quick
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
