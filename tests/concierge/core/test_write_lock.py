"""SQLite's single writer: idle worker steps never take the write lock, a killed writer never leaves it taken,
and a writer that cannot get it in time fails clearly without leaking it."""

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, text

from concierge.channels.sender import Sender
from concierge.core import db
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.ops.alerts.runner import check
from concierge.turn.runner import TurnRunner
from escalation.delivery import Notifier
from tests.factories import PG_URL_ENV, ROOT

HOLD_WRITE = """
import sys, time
from sqlalchemy import event, text
from concierge.core.db import session_scope
with session_scope() as s:
    s.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock is ours
    print("holding", flush=True)
    time.sleep(60)
"""


def returns_within(seconds: float, step: Callable[[], bool]) -> bool | None:
    """The step's result, or None when it was still running after `seconds`."""
    result: list[bool] = []
    thread = threading.Thread(target=lambda: result.append(step()), daemon=True)
    thread.start()
    thread.join(seconds)
    return result[0] if result else None


def test_idle_worker_steps_do_not_wait_for_the_write_lock(database_url: str) -> None:
    settings = get_settings()
    steps = {
        "turns": TurnRunner(settings).run_next,
        "outbox": Sender(settings, now=utcnow).send_next,
        "escalations": Notifier(settings, now=utcnow).run_next,
    }
    with session_scope() as holder:
        holder.execute(text("SELECT 1"))  # a webhook's store holds the lock
        for name, step in steps.items():
            assert returns_within(5, step) is False, f"{name} waited for the write lock with nothing to do"


@pytest.mark.skipif(bool(os.environ.get(PG_URL_ENV)), reason="SQLite's single writer")
def test_a_killed_writer_does_not_leave_the_lock_taken(database_url: str) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_WRITE], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"

        def write() -> bool:
            with session_scope() as s:
                s.execute(text("SELECT 1"))
            return True

        assert returns_within(0.5, write) is None  # the other process has it
        holder.kill()
        holder.wait(10)
        assert returns_within(10, write) is True
    finally:
        holder.kill()
        holder.wait(10)


@pytest.mark.skipif(bool(os.environ.get(PG_URL_ENV)), reason="SQLite's single writer")
def test_a_writer_that_waits_too_long_fails_clearly_and_leaks_nothing(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "WRITE_LOCK_SECONDS", 0.2)
    failures: list[BaseException] = []

    def write() -> bool:
        try:
            with session_scope() as s:
                s.execute(text("SELECT 1"))
        except TimeoutError as exc:
            failures.append(exc)
            return False
        return True

    with session_scope() as holder:
        holder.execute(text("SELECT 1"))
        started = time.monotonic()
        assert returns_within(5, write) is False
        assert time.monotonic() - started < 2
    assert "write lock" in str(failures[0])
    assert returns_within(5, write) is True  # neither the thread lock nor the flock was left taken


@pytest.mark.skipif(bool(os.environ.get(PG_URL_ENV)), reason="SQLite's single writer")
def test_alert_measurements_do_not_hold_the_write_lock(database_url: str) -> None:
    under_lock: list[str] = []

    def note(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if conn.info.get("writer"):
            under_lock.append(statement.split()[0].upper())

    engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", note)
    try:
        check(get_settings(), now=utcnow())
    finally:
        event.remove(engine, "before_cursor_execute", note)
    # The four measures' aggregates run before; under the lock only the alert states' own reads and writes.
    assert under_lock.count("UPDATE") >= 4
    assert under_lock.count("SELECT") <= 4, under_lock
