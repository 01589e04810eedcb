"""Start `concierge serve` and `concierge worker` as real processes on loopback, pointed at a fake Twilio (their
environment: `server_env` in tests/factories.py), and wait for their work to settle."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlmodel import col, func, select

from concierge.conversation.models import Job, JobStatus, Outbox, OutboxStatus
from concierge.core.db import session_scope
from tests.factories import ACCOUNT_SID, AUTH_TOKEN, ROOT, free_port
from tests.fakes.twilio_api import FakeTwilio


class Process:
    """One `concierge` command as a child process that a test can kill -9, terminate and start again."""

    def __init__(self, args: list[str], env: dict[str, str], health_url: str | None = None) -> None:
        self.args = args
        self.env = {**os.environ, **env}
        self.health_url = health_url
        self.proc: subprocess.Popen[str] | None = None
        # A file, not a pipe: a chatty process would block once nobody reads a full pipe.
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115  # lives as long as the Process

    def start(self, timeout: float = 60.0) -> "Process":
        """Start the command; with a health URL, return once it answers 200."""
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "concierge.cli", *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            text=True,
        )
        if self.health_url is None:
            return self
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.args[0]} exited with {self.proc.returncode}: {self.stderr()}")
            try:
                if httpx.get(self.health_url, timeout=0.5).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.proc.kill()  # never leave a half-started server running behind a failed test
                self.proc.wait(timeout=10)
                raise RuntimeError(f"{self.args[0]} did not become healthy: {self.stderr()[-2000:]}")
            time.sleep(0.1)

    def stderr(self) -> str:
        """What the process (and earlier runs of it) wrote to stderr so far."""
        self.log.seek(0)
        return self.log.read()

    def kill(self) -> None:
        """kill -9: no shutdown code runs, exactly like a crash."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, then wait (kill -9 after `timeout`); returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(timeout=10)


def serve_process(env: dict[str, str], port: int | None = None) -> tuple[Process, str]:
    """A `concierge serve` process (not started) on a loopback port, and its base URL."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    process = Process(["serve", "--port", str(port)], {"PUBLIC_URL": base, **env}, health_url=f"{base}/healthz")
    return process, base


@contextmanager
def running_server(env: dict[str, str], timeout: float = 60.0) -> Iterator[str]:
    """Run the server until the block ends; yields its base URL once /healthz answers."""
    process, base = serve_process(env)
    process.start(timeout)
    try:
        yield base
    finally:
        process.stop()


def process_env(database_url: str, fake: FakeTwilio, **extra: str) -> dict[str, str]:
    """Small leases, polls and timeouts, so a crashed process's work comes back within seconds."""
    return {
        "DATABASE_URL": database_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_API_BASE_URL": fake.base_url,
        "TWILIO_TIMEOUT_SECONDS": "1",  # an attempt in flight at the crash is reconciled after 2×1+5 s
        "WORKER_POLL_SECONDS": "0.05",
        "JOB_LEASE_SECONDS": "5",
        "OUTBOX_RETRY_BASE_SECONDS": "0.05",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def wait_until_settled(timeout: float) -> None:
    """Until no job and no reply is left to process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope() as s:
            jobs = s.exec(
                select(func.count()).select_from(Job).where(col(Job.status).in_([JobStatus.pending, JobStatus.running]))
            ).one()
            replies = s.exec(
                select(func.count())
                .select_from(Outbox)
                .where(col(Outbox.status).in_([OutboxStatus.pending, OutboxStatus.sending]))
            ).one()
        if jobs == 0 and replies == 0:
            return
        time.sleep(0.2)
    raise AssertionError(f"still {jobs} jobs and {replies} replies to process after {timeout}s")
