"""Replies survive a Twilio outage: retried for hours (the injected clock moves, nothing sleeps), then escalated.

The sender runs against the local Twilio fake over real sockets; time moves by setting the sender's clock to the
reply's next due time, so a 3-minute outage or a day of failures takes as long as the requests do.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from concierge.app import create_app
from concierge.channels.sender import Sender
from concierge.channels.twilio import store_status
from concierge.conversation import service
from concierge.conversation.models import Conversation, Message, Outbox, OutboxStatus, Owner
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from escalation.models import Escalation
from knowledge.models import Property
from tests.factories import ACCOUNT_SID, AUTH_TOKEN, LOOPBACK
from tests.fakes.twilio_api import FakeTwilio

GUEST = "+34611111111"
STAFF = "+34600000001"
REPLY = "La piscina abre de 10:00 a 20:00."


class Clock:
    """The sender's clock: tests move it instead of sleeping."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as fake:
        monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
        monkeypatch.setenv("TWILIO_API_BASE_URL", fake.base_url)
        monkeypatch.setenv("WORKER_IN_PROCESS", "false")
        get_settings.cache_clear()
        yield fake


def queue_reply(prop: Property, *, now: datetime, body: str = REPLY) -> int:
    with session_scope() as s:
        assert prop.id is not None
        conversation = Conversation(
            property_id=prop.id, channel="sms", guest_address=GUEST, property_address="+15005550006"
        )
        s.add(conversation)
        s.flush()
        row = service.enqueue_reply(s, conversation=conversation, body=body, author="bot", now=now)
        assert row.id is not None
        return row.id


def row(outbox_id: int) -> Outbox:
    with session_scope() as s:
        return s.get_one(Outbox, outbox_id)


def sender(clock: Clock) -> Sender:
    # The longest wait of every backoff (no jitter): the fewest attempts, so a pass needs the time, not luck.
    return Sender(get_settings(), now=clock, rng=lambda: 1.0)


def attempt_while_down(s: Sender, fake: FakeTwilio, clock: Clock, outbox_id: int) -> None:
    """One attempt against a Twilio answering 503, then the clock moves to the reply's next due time."""
    fake.fail_next(503)
    assert s.send_next()
    clock.now = max(clock.now, row(outbox_id).next_attempt_at)


def test_reply_arrives_after_a_three_minute_outage_and_only_once(fake: FakeTwilio, prop: Property) -> None:
    start = utcnow()
    clock = Clock(start)
    outbox_id = queue_reply(prop, now=start)
    s = sender(clock)
    while clock.now < start + timedelta(minutes=3):  # Twilio answers 503 for three minutes
        attempt_while_down(s, fake, clock, outbox_id)
        assert row(outbox_id).status == OutboxStatus.pending  # still waiting, never given up
    assert fake.messages == []
    while s.send_next():  # Twilio is back: the due retry goes out
        pass
    assert [(m["to"], m["body"]) for m in fake.messages] == [(GUEST, REPLY)]
    assert row(outbox_id).status == OutboxStatus.sent and row(outbox_id).attempts > 6
    clock.now += timedelta(hours=1)
    assert not s.send_next()  # nothing left, nothing sent twice
    assert len(fake.messages) == 1


def test_waits_are_capped_so_a_recovered_twilio_is_used_soon(fake: FakeTwilio, prop: Property) -> None:
    start = utcnow()
    clock = Clock(start)
    outbox_id = queue_reply(prop, now=start)
    s = sender(clock)
    for _ in range(12):
        before = clock.now
        attempt_while_down(s, fake, clock, outbox_id)
        assert clock.now - before <= timedelta(seconds=get_settings().outbox_retry_max_seconds)


def test_reply_failing_for_hours_escalates_with_its_text(fake: FakeTwilio, prop: Property) -> None:
    start = utcnow()
    clock = Clock(start)
    outbox_id = queue_reply(prop, now=start)
    s = sender(clock)
    deadline = start + timedelta(hours=get_settings().outbox_retry_hours)
    while row(outbox_id).status == OutboxStatus.pending:
        assert clock.now <= deadline  # never given up before OUTBOX_RETRY_HOURS
        attempt_while_down(s, fake, clock, outbox_id)
    assert clock.now >= deadline  # the last attempt was at the deadline
    failed = row(outbox_id)
    assert failed.status == OutboxStatus.failed and fake.messages == []
    with session_scope() as s_:
        [escalation] = s_.exec(select(Escalation)).all()
        reply = s_.get_one(Message, failed.message_id)
        conversation = s_.get_one(Conversation, escalation.conversation_id)
        staff_alerts = s_.exec(select(Outbox).where(Outbox.to_address == STAFF)).all()
    assert escalation.reason == "delivery_failed" and escalation.status == "open"
    assert escalation.detail == REPLY and escalation.message_id == reply.id and reply.body == REPLY
    assert conversation.guest_address == GUEST
    assert len(staff_alerts) == 1  # staff are told (and read the text in the console)
    assert REPLY not in staff_alerts[0].body


def test_permanent_failure_escalates_at_once(fake: FakeTwilio, prop: Property) -> None:
    clock = Clock(utcnow())
    outbox_id = queue_reply(prop, now=clock.now)
    fake.fail_next(400, code=21211)
    assert sender(clock).send_next()
    assert row(outbox_id).status == OutboxStatus.failed
    with session_scope() as s_:
        [escalation] = s_.exec(select(Escalation)).all()
    assert escalation.reason == "delivery_failed" and escalation.detail == REPLY


def test_a_staff_alert_that_fails_raises_no_further_escalation(fake: FakeTwilio, prop: Property) -> None:
    clock = Clock(utcnow())
    queue_reply(prop, now=clock.now)
    fake.fail_next(400, code=21211)
    s = sender(clock)
    assert s.send_next()  # the guest's reply fails: an escalation, and an alert to staff
    fake.fail_next(400, code=21211)
    assert s.send_next()  # the staff alert fails too
    assert not s.send_next()
    with session_scope() as s_:
        assert len(s_.exec(select(Escalation)).all()) == 1
        alert = s_.exec(select(Outbox).where(Outbox.to_address == STAFF)).one()
        thread = s_.get_one(Conversation, alert.conversation_id)
    assert alert.status == OutboxStatus.failed and thread.owner == Owner.alerts


def age_reply(outbox_id: int, *, minutes: float, status: OutboxStatus = OutboxStatus.pending) -> None:
    with session_scope() as s:
        r = s.get_one(Outbox, outbox_id)
        r.created_at = utcnow() - timedelta(minutes=minutes)
        r.status = status


def test_metrics_and_readiness_follow_the_oldest_undelivered_reply(fake: FakeTwilio, prop: Property) -> None:
    newer = queue_reply(prop, now=utcnow())  # the lower id …
    age_reply(newer, minutes=1)
    with session_scope() as s:
        conversation = s.exec(select(Conversation)).one()
        older = service.enqueue_reply(s, conversation=conversation, body="retrying", author="bot", now=utcnow())
        sent = service.enqueue_reply(s, conversation=conversation, body="sent", author="bot", now=utcnow())
        assert older.id is not None and sent.id is not None
        older_id, sent_id = older.id, sent.id
    age_reply(older_id, minutes=11)  # … queued earlier: a retrying reply
    age_reply(sent_id, minutes=120, status=OutboxStatus.sent)  # delivered ones do not count
    with TestClient(create_app(), client=LOOPBACK) as client:
        ages = [
            float(line.rsplit(" ", 1)[1])
            for line in client.get("/metrics").text.splitlines()
            if line.startswith("concierge_outbox_oldest_age_seconds ")
        ]
        assert len(ages) == 1 and 660 <= ages[0] < 7200
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "degraded"
        checks = ready.json()["checks"]
        assert {"database", "migrations", "outbox_backlog", "outbox_age"} <= set(checks)
        assert checks["outbox_age"]["degraded"] is True and checks["outbox_backlog"]["degraded"] is False
        age_reply(older_id, minutes=11, status=OutboxStatus.sent)  # it left: one minute is the oldest now
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ok"
        assert ready.json()["checks"]["outbox_age"]["degraded"] is False


def test_reply_twilio_accepted_but_could_not_deliver_escalates_once(fake: FakeTwilio, prop: Property) -> None:
    clock = Clock(utcnow())
    outbox_id = queue_reply(prop, now=clock.now)
    assert sender(clock).send_next()
    sid = row(outbox_id).twilio_sid
    assert sid
    for _ in range(2):  # Twilio may call back twice: one escalation
        with session_scope() as s:
            form = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30007"}
            assert store_status(s, form, outbox_id)
    with session_scope() as s:
        [escalation] = s.exec(select(Escalation)).all()
    assert escalation.reason == "delivery_failed" and escalation.detail == REPLY
    assert escalation.reasons == []  # not merged in again by the repeated callback
    assert row(outbox_id).status == OutboxStatus.undelivered
