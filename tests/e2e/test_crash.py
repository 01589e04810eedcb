"""Crash safety: kill -9 a worker (PostgreSQL) or the whole server (SQLite) mid-run, restart it, and check
that every guest message got exactly one reply at the fake Twilio, in order per guest."""

import asyncio
import time
from collections.abc import Iterator

import pytest

from tests.e2e.guests import QUESTIONS, TRASH, Traffic, run_guests
from tests.e2e.server import Process, process_env, serve_process, wait_until_settled
from tests.factories import ACCOUNT_SID, AUTH_TOKEN, PROPERTY_NUMBER, make_property, pack_data
from tests.fakes.twilio_api import FakeTwilio

GUESTS, MESSAGES = 100, 5


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as fake:
        yield fake


def conversations() -> dict[str, list[str]]:
    """Each guest asks the five questions, starting at a different one."""
    return {f"+3460{i:07d}": [QUESTIONS[(i + k) % len(QUESTIONS)][0] for k in range(MESSAGES)] for i in range(GUESTS)}


async def send_and_crash(url: str, fake: FakeTwilio, crash: "Crash") -> Traffic:
    """Send every conversation; once a third of the replies are out, crash a process and restart it."""
    guests = asyncio.create_task(run_guests(url, conversations(), to=PROPERTY_NUMBER, concurrency=GUESTS))
    while len(fake.messages) < GUESTS * MESSAGES // 3:
        await asyncio.sleep(0.02)
    # Hold the next sends inside Twilio, so the crash lands between "Twilio accepted" and "SID recorded".
    fake.delay_next(1.0, count=4)
    await asyncio.sleep(0.3)
    await asyncio.to_thread(crash.victim.kill)
    await asyncio.sleep(0.5)
    await asyncio.to_thread(crash.victim.start)
    crash.done = True
    return await guests


class Crash:
    def __init__(self, victim: Process) -> None:
        self.victim = victim
        self.done = False


def assert_exactly_one_reply_each_in_order(fake: FakeTwilio, traffic: Traffic) -> None:
    assert sum(len(bodies) for bodies in traffic.sent.values()) == GUESTS * MESSAGES
    marker = dict(QUESTIONS)
    received: dict[str, list[str]] = {}
    for sent in fake.messages:
        assert sent["from_"] == PROPERTY_NUMBER
        received.setdefault(sent["to"], []).append(sent["body"])
    assert len(fake.messages) == GUESTS * MESSAGES, f"{len(fake.messages)} replies for {GUESTS * MESSAGES} messages"
    for guest, bodies in traffic.sent.items():
        replies = received.get(guest, [])
        assert len(replies) == len(bodies), f"{guest}: {len(replies)} replies to {len(bodies)} messages"
        for question, reply in zip(bodies, replies, strict=True):
            assert marker[question] in reply, f"{guest}: out of order, {question!r} answered with {reply!r}"


def test_postgres_web_and_two_workers_survive_kill_9_of_a_worker(database_url: str, fake_twilio: FakeTwilio) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several worker processes need PostgreSQL (make test-pg)")
    make_property(knowledge=[*pack_data()["knowledge"], TRASH])
    env = process_env(database_url, fake_twilio, WORKER_IN_PROCESS="false")
    web, base = serve_process(env)
    workers = [Process(["worker"], env) for _ in range(2)]
    try:
        web.start()
        for worker in workers:
            worker.start()
        crash = Crash(workers[0])
        traffic = asyncio.run(send_and_crash(f"{base}/twilio/messages", fake_twilio, crash))
        assert crash.done
        try:
            wait_until_settled(timeout=120)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n" + "\n".join(w.stderr()[-2000:] for w in workers)) from None
        assert_exactly_one_reply_each_in_order(fake_twilio, traffic)
    finally:
        for worker in workers:
            worker.stop()
        web.stop()
    assert "Traceback" not in workers[1].stderr(), workers[1].stderr()[-3000:]


def test_sqlite_server_killed_and_restarted_loses_and_duplicates_nothing(
    database_url: str, fake_twilio: FakeTwilio
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the single-process deployment is SQLite's")
    make_property(knowledge=[*pack_data()["knowledge"], TRASH])
    server, base = serve_process(process_env(database_url, fake_twilio, WORKER_IN_PROCESS="true"))
    try:
        server.start()
        crash = Crash(server)
        traffic = asyncio.run(send_and_crash(f"{base}/twilio/messages", fake_twilio, crash))
        assert crash.done
        wait_until_settled(timeout=120)
        assert_exactly_one_reply_each_in_order(fake_twilio, traffic)
    finally:
        server.stop()


def test_worker_process_exits_cleanly_on_sigterm(database_url: str, fake_twilio: FakeTwilio) -> None:
    env = process_env(database_url, fake_twilio, SHUTDOWN_TIMEOUT_SECONDS="5", LOG_LEVEL="INFO")
    worker = Process(["worker"], env)
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while "worker started" not in worker.stderr():  # its SIGTERM handler is installed by then
            assert time.monotonic() < deadline, worker.stderr()[-2000:]
            time.sleep(0.05)
    finally:
        code = worker.stop(timeout=10)
    assert code == 0, worker.stderr()[-2000:]
