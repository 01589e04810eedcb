"""One guest firing webhooks at once, on PostgreSQL with a web process and two workers (on SQLite, `serve` with
two worker children): the answers follow the order the messages were stored and acknowledged, and the guest's
turns never run at the same time."""

import asyncio
from datetime import timedelta

import httpx
from sqlmodel import col, select

from concierge.conversation.models import Job, Message
from concierge.core.db import session_scope
from tests.e2e.guests import QUESTIONS, TRASH
from tests.e2e.server import Process, process_env, serve_process, wait_until_settled
from tests.factories import PROPERTY_NUMBER, make_property, pack_data, sign, webhook_form
from tests.fakes.twilio_api import FakeTwilio

GUEST = "+34699999999"
WAVES = 3
LEASE_SECONDS = 5


async def send_waves(url: str) -> list[list[str]]:
    """Each wave sends every question at once; the next wave starts once the whole wave is acknowledged."""
    waves: list[list[str]] = []
    async with httpx.AsyncClient(timeout=30) as client:

        async def post(question: str) -> None:
            params = webhook_form(question, sender=GUEST, to=PROPERTY_NUMBER)
            response = await client.post(url, data=params, headers={"X-Twilio-Signature": sign(url, params)})
            assert response.status_code == 200

        for wave in range(WAVES):
            questions = [q for q, _ in QUESTIONS[wave:] + QUESTIONS[:wave]]
            await asyncio.gather(*(post(q) for q in questions))
            waves.append(questions)
    return waves


def test_concurrent_webhooks_of_one_guest_are_answered_in_order_never_concurrently(
    database_url: str, fake_twilio: FakeTwilio
) -> None:
    make_property(knowledge=[*pack_data()["knowledge"], TRASH])
    if database_url.startswith("postgresql"):  # a web process and two `concierge worker` processes
        env = process_env(database_url, fake_twilio, WORKER_IN_PROCESS="false", JOB_LEASE_SECONDS=str(LEASE_SECONDS))
        workers = [Process(["worker"], env) for _ in range(2)]
    else:  # SQLite: `serve` and its two worker children
        env = process_env(database_url, fake_twilio, WORKER_PROCESSES="2", JOB_LEASE_SECONDS=str(LEASE_SECONDS))
        workers = []
    web, base = serve_process(env)
    try:
        web.start()
        for worker in workers:
            worker.start()
        waves = asyncio.run(send_waves(f"{base}/twilio/messages"))
        wait_until_settled(timeout=120)
    finally:
        for worker in workers:
            worker.stop()
        web.stop()

    with session_scope(readonly=True) as s:
        stored = list(
            s.exec(select(Message.body).where(Message.direction == "in").order_by(col(Message.id)))
        )  # the order the server committed (and then acknowledged) them
        jobs = list(s.exec(select(Job).order_by(col(Job.id))))
    marker = dict(QUESTIONS)
    replies = [m["body"] for m in fake_twilio.messages if m["to"] == GUEST]
    assert len(replies) == len(stored) == WAVES * len(QUESTIONS)
    for question, reply in zip(stored, replies, strict=True):
        assert marker[question] in reply, f"{question!r} answered with {reply!r}: out of order"
    for wave, questions in enumerate(waves):  # a wave acknowledged before the next was sent is answered first
        assert sorted(stored[wave * len(questions) : (wave + 1) * len(questions)]) == sorted(questions)
    for earlier, later in zip(jobs, jobs[1:], strict=False):  # one turn at a time, in message order
        assert earlier.message_id < later.message_id
        assert earlier.finished_at is not None and later.lease_until is not None
        claimed = later.lease_until - timedelta(seconds=LEASE_SECONDS)
        assert claimed >= earlier.finished_at, f"job {later.id} started before job {earlier.id} finished"
