"""`concierge serve` on SQLite: the worker as a child process, woken through a pipe when a webhook is stored.

In threads of the web process, CPU-bound turns held the GIL, so the event loop that acknowledges webhooks got it
back only at switch intervals, several times per request (issue 9: ack p99 in seconds). As a child process the
worker shares the database (SQLite in WAL mode takes writers from several processes, one at a time) and the
machine's cores, never the web process's interpreter. Still one command: the child starts and stops with the app.
"""

import contextlib
import itertools
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from concierge.core import metrics_dir
from concierge.core.settings import Settings

log = logging.getLogger(__name__)


class WorkerProcess:
    """`concierge worker` as a child: `wake()` writes a byte to its pipe; `stop()` is SIGTERM, then wait."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.proc: subprocess.Popen[bytes] | None = None
        self._wake_fd: int | None = None
        self._ready_fd: int | None = None

    def start(self) -> None:
        """Start the child; it reads wake-ups from a pipe and stops when the pipe closes (this process died)."""
        read_fd, write_fd = os.pipe()
        ready_read, ready_write = os.pipe()
        os.set_blocking(write_fd, False)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "concierge.cli",
                "worker",
                "--wake-fd",
                str(read_fd),
                "--ready-fd",
                str(ready_write),
            ],
            pass_fds=(read_fd, ready_write),
        )
        os.close(read_fd)
        os.close(ready_write)
        self._wake_fd, self._ready_fd = write_fd, ready_read
        log.info("worker process started", extra={"pid": self.proc.pid})

    def wait_ready(self, timeout: float) -> bool:
        """Wait until the child has loaded the turn graph (imports take seconds), so the first guest does not."""
        if self._ready_fd is None:
            return False
        ready, _, _ = select.select([self._ready_fd], [], [], timeout)
        os.close(self._ready_fd)
        self._ready_fd = None
        if not ready:
            log.error("worker process not ready in time; serving anyway", extra={"seconds": timeout})
        return bool(ready)

    def wake(self) -> None:
        """New work was stored: the child looks now instead of at its next poll."""
        if self._wake_fd is None:
            return
        with contextlib.suppress(BlockingIOError, BrokenPipeError):  # a full pipe wakes it anyway
            os.write(self._wake_fd, b"\0")
        if self.proc is not None and self.proc.poll() is not None:
            log.error("worker process exited; starting another", extra={"code": self.proc.returncode})
            metrics_dir.process_exited(self.proc.pid)
            self.close_pipe()
            self.start()

    def stop(self, timeout: float | None = None) -> None:
        """SIGTERM: the child finishes or releases its turns within the shutdown deadline; kill -9 after that."""
        deadline = self.settings.shutdown_timeout_seconds if timeout is None else timeout
        self.close_pipe()
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(deadline + 5)
        except subprocess.TimeoutExpired:
            log.error("worker process ignored SIGTERM; killing it")
            self.proc.kill()
            self.proc.wait(10)

    def close_pipe(self) -> None:
        """Close our end of the wake-up pipe (the child sees end of file)."""
        if self._wake_fd is not None:
            os.close(self._wake_fd)
            self._wake_fd = None


class WorkerProcesses:
    """`WORKER_PROCESSES` children of `serve` (SQLite), each a whole worker: turns, deliveries, timers.

    One worker process runs one thread's Python at a time (the GIL): a burst's turns and deliveries then share one
    core while the other has CPU to spare (docs/benchmarks.md, "Concurrent turns", fifth pass). Their claims keep
    each conversation's turns and replies one at a time and in order across processes, as `concierge worker`
    processes do on PostgreSQL. Each stored message wakes the next child in turn, so a burst is shared out.
    """

    def __init__(self, settings: Settings, count: int) -> None:
        self.children = [WorkerProcess(settings) for _ in range(max(1, count))]
        self._next = itertools.count()

    def start(self) -> None:
        """Start every child (they import at the same time)."""
        for child in self.children:
            child.start()

    def wait_ready(self, timeout: float) -> bool:
        """Wait until every child has loaded the turn graph (or the time is up)."""
        deadline = time.monotonic() + timeout
        return all([child.wait_ready(max(0.0, deadline - time.monotonic())) for child in self.children])

    def wake(self) -> None:
        """A message was stored: one child looks now; the others find work at their next claim or poll."""
        self.children[next(self._next) % len(self.children)].wake()

    def stop(self, timeout: float | None = None) -> None:
        """SIGTERM every child at once, then wait for each (they drain in parallel)."""
        for child in self.children:
            child.close_pipe()
            if child.proc is not None and child.proc.poll() is None:
                child.proc.send_signal(signal.SIGTERM)
        for child in self.children:
            child.stop(timeout)


def run_behind_the_web(settings: Settings) -> None:
    """In the child, before its threads start (Linux sets both per thread; new threads inherit them): a lower CPU
    priority (WORKER_PROCESS_NICE) and, unless WORKER_PROCESS_BATCH is off, the SCHED_BATCH policy."""
    os.nice(settings.worker_process_nice)
    if settings.worker_process_batch:
        batch_scheduling()


def batch_scheduling() -> bool:
    """Put this thread under SCHED_BATCH: the scheduler treats it as CPU-bound and does not let it preempt a running
    normal process (the web process) when it wakes. False, and the normal policy kept, where the platform has no
    such policy or the call is not permitted (a seccomp profile, a container): the worker runs all the same."""
    policy = getattr(os, "SCHED_BATCH", None)
    if policy is None:
        log.info("SCHED_BATCH is not available here; the worker keeps the normal scheduling policy")
        return False
    try:
        os.sched_setscheduler(0, policy, os.sched_param(0))
    except OSError as exc:
        log.warning(
            "SCHED_BATCH not permitted; the worker keeps the normal scheduling policy", extra={"error": str(exc)}
        )
        return False
    return True


def signal_ready(fd: int) -> None:
    """In the child: tell `serve` the worker is loaded."""
    with contextlib.suppress(OSError):
        os.write(fd, b"r")
    os.close(fd)


def follow_wake_pipe(fd: int, *, wake: Callable[[], None], parent_gone: Callable[[], None]) -> threading.Thread:
    """In the child: call `wake` for every byte the server writes, `parent_gone` when the server has exited."""

    def run() -> None:
        with os.fdopen(fd, "rb", buffering=0) as pipe:
            while pipe.read(4096):
                wake()
        log.warning("the server is gone; stopping the worker")
        parent_gone()

    thread = threading.Thread(target=run, name="wake-pipe", daemon=True)
    thread.start()
    return thread
