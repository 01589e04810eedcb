"""A worker loop meeting the same error again and again waits longer each time and logs it once per interval."""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from concierge.core.settings import get_settings
from concierge.turn.result import Decision, EscalationRequest, TurnResult
from concierge.worker import loops
from concierge.worker.loops import RepeatedErrors, Worker
from escalation.models import Urgency


def failing_the_same_way(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    run: Callable[[Worker, Callable[[], Any]], list[threading.Thread]],
) -> None:
    """Threads (built by `run`) whose step always fails the same way: they back off and log it once."""
    monkeypatch.setenv("WORKER_POLL_SECONDS", "0.01")
    monkeypatch.setattr(loops, "MAX_ERROR_WAIT_SECONDS", 0.2)
    get_settings.cache_clear()
    worker = Worker(get_settings())
    calls = []

    def broken_step() -> bool:
        calls.append(time.monotonic())
        raise OSError("attempt to write a readonly database")

    caplog.set_level(logging.INFO, logger="concierge.worker.loops")
    threads = run(worker, broken_step)
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    worker._stop.set()
    for thread in threads:
        thread.join(2)
    assert not any(thread.is_alive() for thread in threads)
    failures = [r for r in caplog.records if r.getMessage() == "worker step failed"]
    assert len(failures) == 1  # not 150 tracebacks (the old loop logged every 10 ms poll)
    assert 4 <= len(calls) <= 15  # 0.01, 0.02, 0.04 … then every 0.2 s


def test_a_loop_failing_the_same_way_backs_off_and_logs_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    failing_the_same_way(
        monkeypatch,
        caplog,
        lambda worker, step: [threading.Thread(target=worker._loop, args=("alerts", step), daemon=True)],
    )


def test_a_new_error_or_the_next_interval_is_logged_again(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    errors = RepeatedErrors("turns", base_seconds=0.5, clock=lambda: now[0])
    caplog.set_level(logging.INFO, logger="concierge.worker.loops")
    waits = [errors.failed(OSError("disk full")) for _ in range(4)]
    assert waits == [0.5, 1.0, 2.0, 4.0]
    errors.failed(ValueError("another"))
    now[0] = loops.ERROR_LOG_INTERVAL_SECONDS + 1
    errors.failed(ValueError("another"))
    errors.succeeded()
    assert errors.failed(ValueError("another")) == 0.5
    logged = [r for r in caplog.records if r.getMessage() == "worker step failed"]
    assert [getattr(r, "repeated", None) for r in logged] == [0, 3, 0, 0]


def test_a_pool_whose_claims_fail_the_same_way_backs_off_and_logs_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    failing_the_same_way(monkeypatch, caplog, lambda worker, claim: worker._pool("outbox", claim, lambda item: None, 2))


def woken(worker: Worker) -> set[str]:
    """The loops told to look now, cleared for the next step."""
    names = {name for name, event in worker._wake.items() if event.is_set()}
    for event in worker._wake.values():
        event.clear()
    return names


def test_a_stored_message_wakes_the_turns_and_only_a_turn_for_staff_wakes_the_escalation_loop() -> None:
    worker = Worker(get_settings())
    worker.wake()  # a webhook stored a message: its turn is the only new work
    assert woken(worker) == {"turns"}
    answered = TurnResult(decision=Decision.reply, send=True, reply="The wifi password is on the fridge.")
    worker._did_work("turns", answered)
    assert woken(worker) == {"outbox"}  # the reply; no escalation loop reads for an answered question
    handed_off = TurnResult(
        decision=Decision.reply_escalate, send=True, escalation=EscalationRequest("no_answer", Urgency.normal)
    )
    worker._did_work("turns", handed_off)
    assert woken(worker) == {"outbox", "escalations"}
    worker._did_work("turns", TurnResult(decision=Decision.reply, disputes_reply=True))
    assert woken(worker) == {"outbox", "escalations"}
    worker._did_work("turns", None)  # the turn failed: its last attempt opens an escalation
    assert woken(worker) == {"outbox", "escalations"}
