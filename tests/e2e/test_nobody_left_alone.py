"""Nobody is left alone, end to end: signed webhooks to the real server, replies and staff alerts through a fake
Twilio. A guest handed to a person still gets safety guidance at once, and hears that the team has their message.
"""

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from concierge.conversation.models import Job, JobStatus, Message
from concierge.core.db import session_scope
from escalation.models import Escalation
from knowledge.models import Property
from tests.e2e.server import running_server
from tests.factories import post_webhook, server_env
from tests.fakes.twilio_api import FakeTwilio

GUEST = "+447700900123"  # John, booked, writes English
STAFF = "+34600000001"  # Marta, the on-call host of the test property
ACK = "Your message is with our team, and a person will reply to you here as soon as they can."
NOTICE = "I have alerted our team again and a person is on the way."


@pytest.fixture(scope="module")
def server(fake_twilio: FakeTwilio, database_url: str) -> Iterator[str]:
    with running_server(server_env(database_url, fake_twilio.base_url, OUTBOX_RETRY_BASE_SECONDS="0.05")) as base:
        yield base


@pytest.fixture(autouse=True)
def fresh_fake(fake_twilio: FakeTwilio) -> None:
    fake_twilio.reset()


def wait_until(what: Callable[[], Any], *, timeout: float = 20.0) -> Any:
    """Poll until `what()` is truthy and return it; fail with its last value after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value or time.monotonic() > deadline:
            assert value, f"condition not met within {timeout}s"
            return value
        time.sleep(0.05)


def to(fake: FakeTwilio, number: str) -> list[str]:
    """The bodies Twilio was asked to send to this number, in order."""
    return [m["body"] for m in fake.messages if m["to"] == number]


def turn_done(body: str) -> bool:
    """Whether the turn of the guest's latest message with this body is recorded."""
    with session_scope() as s:
        message = s.exec(
            select(Message).where(Message.body == body, Message.direction == "in").order_by(col(Message.id).desc())
        ).first()
        if message is None:
            return False
        job = s.exec(select(Job).where(Job.message_id == message.id)).first()
        return job is not None and job.status == JobStatus.done


def outbound_count() -> int:
    with session_scope() as s:
        return len(s.exec(select(Message.id).where(Message.direction == "out")).all())


def test_fire_after_asking_for_a_person_is_answered_and_alerts_staff_again(
    server: str, fake_twilio: FakeTwilio, prop: Property
) -> None:
    assert post_webhook(server, body="I want to talk to a person please", sender=GUEST).status_code == 200
    wait_until(lambda: to(fake_twilio, GUEST) and len(to(fake_twilio, STAFF)) == 1)

    fire = "FIRE! There is a fire in the kitchen and smoke everywhere, what do I do?"
    assert post_webhook(server, body=fire, sender=GUEST).status_code == 200
    wait_until(lambda: len(to(fake_twilio, STAFF)) == 2)  # the on-call host is alerted again
    replies = wait_until(lambda: [b for b in to(fake_twilio, GUEST)[1:] if "112" in b])
    assert replies[0].startswith("If there is a fire, leave the apartment now")
    with session_scope() as s:
        escalation = s.exec(select(Escalation)).one()
        assert escalation.urgency == "emergency"
        assert escalation.reason == "human_requested" and escalation.reasons[-1]["reason"] == "policy:fire"


def test_waiting_guest_is_acknowledged_once(server: str, fake_twilio: FakeTwilio, prop: Property) -> None:
    assert post_webhook(server, body="can I talk to a person", sender=GUEST).status_code == 200
    wait_until(lambda: to(fake_twilio, GUEST) and to(fake_twilio, STAFF))
    with session_scope() as s:  # the clock: the hand-off happened three minutes ago, nobody has written since
        for row in [*s.exec(select(Escalation)), *s.exec(select(Message))]:
            row.created_at -= timedelta(minutes=3)
            s.add(row)

    assert post_webhook(server, body="hello?", sender=GUEST).status_code == 200
    wait_until(lambda: ACK in to(fake_twilio, GUEST))
    wait_until(lambda: turn_done("hello?"))
    sent = outbound_count()

    assert post_webhook(server, body="hello?? anyone", sender=GUEST).status_code == 200
    wait_until(lambda: turn_done("hello?? anyone"))
    assert outbound_count() == sent  # within HANDOFF_ACK_INTERVAL_MINUTES: recorded for staff, no second one
    assert to(fake_twilio, GUEST).count(ACK) == 1


def test_safety_guidance_comes_before_the_notice(server: str, fake_twilio: FakeTwilio, prop: Property) -> None:
    assert post_webhook(server, body="can you recommend a babysitter for saturday night?", sender=GUEST).status_code
    wait_until(lambda: to(fake_twilio, GUEST) and to(fake_twilio, STAFF))  # a normal escalation: the bot still answers

    gas = "there's a strong gas smell in the kitchen, what should I do??"
    assert post_webhook(server, body=gas, sender=GUEST).status_code == 200
    wait_until(lambda: any(NOTICE in b for b in to(fake_twilio, GUEST)))
    text = "\n\n".join(to(fake_twilio, GUEST)[1:])  # everything after the first answer, in the order it left
    assert text.startswith("If you smell gas")
    assert text.index("If you smell gas") < text.index(NOTICE)
    assert text.count(NOTICE) == 1
