"""Concurrent turns and deliveries: guests are answered at once, each conversation one message at a time, in order."""

import threading
import time
from collections.abc import Iterator

import pytest
from sqlmodel import select

from concierge.conversation.models import Job, JobStatus, Outbox
from concierge.core.db import session_scope
from concierge.core.settings import get_settings
from concierge.llm import offline
from concierge.llm.router import Router
from concierge.llm.types import ResponseRequest, TurnResponse
from concierge.turn.result import TurnResult
from concierge.worker.loops import Worker
from knowledge.models import Property
from tests.factories import ANA, JOHN, STRANGER, local_twilio, queue_replies, store


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[Worker]:
    """A worker running 4 turns and 2 deliveries at once (started by the test), stopped at the end."""
    monkeypatch.setenv("WORKER_POLL_SECONDS", "0.01")
    monkeypatch.setenv("WORKER_CONCURRENCY", "4")
    monkeypatch.setenv("SENDER_CONCURRENCY", "2")
    get_settings.cache_clear()
    worker = Worker(get_settings())
    yield worker
    worker.stop(timeout=10)


def jobs_done(count: int, timeout: float = 20) -> list[Job]:
    deadline = time.monotonic() + timeout
    while True:
        with session_scope() as s:
            jobs = list(s.exec(select(Job).order_by(Job.id)).all())
        if sum(job.status == JobStatus.done for job in jobs) >= count or time.monotonic() > deadline:
            return jobs
        time.sleep(0.02)


def watch_turns(worker: Worker, monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple[int, int]], list[int]]:
    """Record every pair of turns that ran at the same time, and the order turns started in. Each turn holds on
    for 50 ms first: long enough for the other worker threads to start theirs, or to try the conversation's next
    message."""
    lock = threading.Lock()
    running: set[int] = set()
    overlaps: list[tuple[int, int]] = []
    started: list[int] = []
    run_turn = worker.turns.run_turn

    def watched_turn(message_id: int) -> TurnResult:
        with lock:
            overlaps.extend((message_id, other) for other in running)
            running.add(message_id)
            started.append(message_id)
        time.sleep(0.05)
        try:
            return run_turn(message_id)
        finally:
            with lock:
                running.discard(message_id)

    monkeypatch.setattr(worker.turns, "run_turn", watched_turn)
    return overlaps, started


class ModelsThatWaitForEachOther(Router):
    """Each model call returns only once `calls` of them are waiting at the same time (as slow models would)."""

    def __init__(self, calls: int) -> None:
        super().__init__(["offline"])
        self.all_waiting = threading.Barrier(calls, timeout=15)

    @property
    def uses_models(self) -> bool:
        return True  # a model is configured: a turn gives its CPU slot up while waiting for it

    def respond(self, request: ResponseRequest) -> TurnResponse:
        self.all_waiting.wait()
        return offline.respond(request)


def test_turns_of_different_guests_wait_for_their_models_at_the_same_time(prop: Property, worker: Worker) -> None:
    worker.turns.router = router = ModelsThatWaitForEachOther(3)
    for phone in (ANA, JOHN, STRANGER):
        store(prop, "what is the wifi password?", phone=phone)
    worker.start()
    jobs = jobs_done(3)
    assert [job.status for job in jobs] == [JobStatus.done] * 3, [job.last_error for job in jobs]
    assert not router.all_waiting.broken


def test_outside_their_model_calls_turns_run_one_at_a_time(
    prop: Property, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WORKER_CPU_TURNS=1 (the default): the GIL would run them one at a time anyway, only slower."""
    overlaps, _started = watch_turns(worker, monkeypatch)
    for phone in (ANA, JOHN, STRANGER):
        store(prop, "what is the wifi password?", phone=phone)
    worker.start()
    jobs = jobs_done(3)
    assert [job.status for job in jobs] == [JobStatus.done] * 3
    assert overlaps == []


def test_one_guest_is_answered_one_message_at_a_time_in_order(
    prop: Property, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlaps, started = watch_turns(worker, monkeypatch)
    messages = [store(prop, body) for body in ("hi!", "what is the wifi password?", "and check-out time?")]
    worker.start()
    jobs = jobs_done(3)
    assert [job.status for job in jobs] == [JobStatus.done] * 3
    assert overlaps == [] and started == [m.id for m in messages]
    finished = [job.finished_at for job in sorted(jobs, key=lambda job: job.message_id)]
    assert finished == sorted(finished)  # type: ignore[type-var]


def test_replies_leave_at_once_for_different_guests_and_in_order_for_one(
    prop: Property, monkeypatch: pytest.MonkeyPatch
) -> None:
    with local_twilio(monkeypatch, WORKER_POLL_SECONDS="0.01", SENDER_CONCURRENCY="2") as fake:
        worker = Worker(get_settings())  # with Twilio configured
        fake.delay_to(ANA, 3.0)  # Ana's carrier is slow: John's reply must not wait behind hers
        queue_replies(prop, "first for Ana", "second for Ana", guest=ANA)
        queue_replies(prop, "for John", guest=JOHN)
        worker.start()
        try:
            sent = fake.wait_for(3, timeout=20)
        finally:
            worker.stop(timeout=10)
    assert [message["body"] for message in sent] == ["for John", "first for Ana", "second for Ana"]
    with session_scope() as s:
        assert {row.status for row in s.exec(select(Outbox)).all()} == {"sent"}
