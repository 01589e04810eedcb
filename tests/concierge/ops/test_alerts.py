"""Alerts: each kind fires over its threshold and not under it, at most once per window, resolves once, and
reaches an admin's phone through the outbox and the fake Twilio."""

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from concierge.channels.sender import Sender
from concierge.conversation.models import Conversation, Outbox
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.core.settings import Settings, get_settings
from concierge.llm.usage import llm_data
from concierge.ops.alerts import service as alert_service
from concierge.ops.alerts.models import AlertState
from concierge.ops.alerts.runner import AlertChecker, check
from escalation.models import Escalation, EscalationStatus, Notification
from knowledge.models import Property
from tests.factories import concierge, local_twilio, queue_replies, receive
from tests.fakes.twilio_api import FakeTwilio

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=utcnow().tzinfo)
ADMIN = "+34699000111"


def settings(**values: Any) -> Settings:
    return get_settings().model_copy(update=values)


def add_trace(prop: Property, data: dict[str, Any], *, at: datetime) -> None:
    """A recorded turn with this trace data, `at` that time (one guest message and its job)."""
    from concierge.conversation.models import Job, Trace

    with session_scope() as s:
        message = receive(s, prop, "q", at=at)
        assert message is not None
        job = s.exec(select(Job).where(Job.message_id == message.id)).one()
        assert job.id is not None
        s.add(Trace(job_id=job.id, conversation_id=message.conversation_id, data=data, created_at=at))


def model_turn(*, fallback: bool) -> dict[str, Any]:
    chain = ["openai:m", "anthropic:m", "offline"]
    calls = [{"provider": "openai:m", "attempt": 1, "outcome": "server_error" if fallback else "ok", "status": None}]
    llm = {"route": "fallback" if fallback else "model", "chain": chain, "calls": calls}
    return {"llm": llm_data(llm), "checks": []}


def fired(changes: list[alert_service.Change]) -> list[tuple[str, str]]:
    return [(c.measure.kind, c.event) for c in changes]


def run(s: Settings, now: datetime = NOW) -> list[tuple[str, str]]:
    return fired(check(s, now=now)[1])


def test_fallback_rate_fires_over_the_threshold_with_enough_turns(prop: Property) -> None:
    for i in range(10):
        add_trace(prop, model_turn(fallback=i < 3), at=NOW - timedelta(minutes=5))
    add_trace(prop, model_turn(fallback=True), at=NOW - timedelta(hours=2))  # outside the window
    add_trace(prop, {"llm": {}, "checks": []}, at=NOW - timedelta(minutes=1))  # no model call: not counted
    assert run(settings(alert_fallback_rate=0.3)) == []  # 3 of 10 is not over 0.3
    assert run(settings(alert_fallback_rate=0.25)) == [("fallback_rate", "fired")]
    with session_scope() as s:
        state = s.get_one(AlertState, "fallback_rate")
        assert (state.status, state.value, state.threshold) == ("firing", 0.3, 0.25)


def test_fallback_rate_needs_the_minimum_number_of_model_turns(prop: Property) -> None:
    for _ in range(3):
        add_trace(prop, model_turn(fallback=True), at=NOW - timedelta(minutes=5))
    assert run(settings()) == []  # 100% of 3 turns: too few to judge
    assert run(settings(alert_fallback_min_turns=3)) == [("fallback_rate", "fired")]


def test_a_later_provider_answering_counts_as_a_fallback() -> None:
    llm = {
        "route": "model",
        "chain": ["openai:m", "anthropic:m", "offline"],
        "calls": [{"provider": "openai:m", "outcome": "timeout"}, {"provider": "anthropic:m", "outcome": "ok"}],
    }
    assert llm_data(llm)["fallback"] is True
    assert llm_data({**llm, "calls": llm["calls"][1:2], "chain": ["anthropic:m", "offline"]})["fallback"] is False


def test_output_check_failures_fire_at_the_threshold(prop: Property) -> None:
    for _ in range(4):
        add_trace(prop, {"checks": ["output:ungrounded_number"]}, at=NOW - timedelta(minutes=10))
    add_trace(prop, {"checks": []}, at=NOW - timedelta(minutes=10))
    assert run(settings()) == []  # 4 < 5
    add_trace(prop, {"checks": ["secret_withheld:access"]}, at=NOW - timedelta(minutes=1))
    assert run(settings()) == [("output_checks", "fired")]


def test_outbox_age_fires_when_the_oldest_waiting_reply_is_too_old(prop: Property) -> None:
    queue_replies(prop, "Hola", at=NOW - timedelta(minutes=5))
    assert run(settings()) == []  # 300 s < 600 s
    assert run(settings(), now=NOW + timedelta(minutes=6)) == [("outbox_age", "fired")]
    with session_scope() as s:
        assert s.get_one(AlertState, "outbox_age").value == 660.0


def open_escalation(prop: Property, *, at: datetime, status: str = EscalationStatus.open) -> None:
    with session_scope() as s:
        assert prop.id is not None
        conversation = Conversation(
            property_id=prop.id, channel="sms", guest_address=f"+3461{at.minute:07d}", property_address="+15005550006"
        )
        s.add(conversation)
        s.flush()
        assert conversation.id is not None
        s.add(
            Escalation(
                property_id=prop.id, conversation_id=conversation.id, reason="no_answer", status=status, created_at=at
            )
        )


def test_unclaimed_escalations_fire_after_the_claim_time(prop: Property) -> None:
    open_escalation(prop, at=NOW - timedelta(minutes=40), status=EscalationStatus.claimed)  # claimed: fine
    open_escalation(prop, at=NOW - timedelta(minutes=10))  # open, but recent
    assert run(settings()) == []
    open_escalation(prop, at=NOW - timedelta(minutes=31))
    assert run(settings()) == [("unclaimed_escalations", "fired")]


def test_once_per_window_then_again_and_resolved_once(prop: Property) -> None:
    s = settings(alert_window_minutes=60, alert_unclaimed_minutes=30)
    open_escalation(prop, at=NOW - timedelta(minutes=31))
    assert run(s) == [("unclaimed_escalations", "fired")]
    assert run(s, NOW + timedelta(minutes=10)) == []  # still over: told already in this window
    assert run(s, NOW + timedelta(minutes=59)) == []
    assert run(s, NOW + timedelta(minutes=61)) == [("unclaimed_escalations", "fired")]  # a new window: reminded
    with session_scope() as session:
        for e in session.exec(select(Escalation)):
            e.status = EscalationStatus.claimed
    assert run(s, NOW + timedelta(minutes=62)) == [("unclaimed_escalations", "resolved")]
    assert run(s, NOW + timedelta(minutes=63)) == []  # resolved once


def test_concurrent_checks_notify_once(prop: Property) -> None:
    open_escalation(prop, at=NOW - timedelta(minutes=31))
    s = settings(alert_sms_to=ADMIN)
    check(s, now=NOW - timedelta(hours=3))  # the rows exist (a first evaluation, under threshold then)
    barrier = threading.Barrier(4)
    results: list[list[tuple[str, str]]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        barrier.wait()
        for _ in range(5):  # a locked SQLite retries; PostgreSQL serializes on the row
            try:
                results.append(run(s))
                return
            except Exception as exc:  # noqa: BLE001  (SQLite: "database is locked" under contention)
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 4, errors
    assert sorted(sum(results, [])) == [("unclaimed_escalations", "fired")]
    with session_scope() as session:
        assert len(session.exec(select(Outbox).where(Outbox.to_address == ADMIN)).all()) == 1


def test_alert_state_survives_a_new_checker(prop: Property) -> None:
    """A restarted worker (a new checker) does not notify again within the window: the state is in the DB."""
    open_escalation(prop, at=utcnow() - timedelta(minutes=31))
    s = settings(alert_sms_to=ADMIN)
    assert AlertChecker(s, now=utcnow).run_next() is True
    assert AlertChecker(s, now=utcnow).run_next() is False
    with session_scope() as session:
        assert len(session.exec(select(Outbox).where(Outbox.to_address == ADMIN)).all()) == 1


@pytest.fixture
def fake_twilio(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    with local_twilio(monkeypatch) as fake:
        yield fake


def test_admin_sms_reaches_twilio_and_webhook_is_queued(
    prop: Property, fake_twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALERT_SMS_TO", ADMIN)
    monkeypatch.setenv("NOTIFY_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    monkeypatch.setenv("NOTIFY_WEBHOOK_SECRET", "s3cret")
    get_settings.cache_clear()
    queue_replies(prop, "Hola", at=utcnow() - timedelta(minutes=20))  # a reply stuck for 20 minutes
    with session_scope() as s:
        stuck = s.exec(select(Outbox)).one()
        stuck.next_attempt_at = utcnow() + timedelta(hours=1)  # in backoff: the sender leaves it for now
    assert run(get_settings(), now=utcnow()) == [("outbox_age", "fired")]
    sender = Sender(get_settings(), now=utcnow)
    assert sender.send_next()
    [sms] = fake_twilio.messages
    assert sms["to"] == ADMIN and sms["from_"] == "+15005550006"
    assert sms["body"].startswith("Alert: seconds the oldest reply has waited in the outbox is 1")
    assert "over the threshold of 600 (last 60 minutes)" in sms["body"] and "/console" in sms["body"]
    with session_scope() as s:
        thread = s.exec(select(Conversation).where(Conversation.guest_address == ADMIN)).one()
        assert thread.owner == "staff-alerts"  # the bot never answers an admin's reply
        [hook] = s.exec(select(Notification).where(col(Notification.escalation_id).is_(None))).all()
        assert hook.kind == "webhook" and hook.payload["event"] == "alert.fired"
        assert hook.payload["alert"] == "outbox_age" and hook.payload["threshold"] == 600.0


def test_alerts_check_command_prints_what_fired(prop: Property) -> None:
    open_escalation(prop, at=utcnow() - timedelta(minutes=45))
    result = concierge("alerts", "check")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("fallback_rate\t0\t0.25\tok")
    assert "unclaimed_escalations\t1\t1\tOVER\topen longer than 30 minutes" in lines
    assert lines[-1] == "fired: unclaimed_escalations (1 vs 1)"
    again = concierge("alerts", "check")
    assert again.returncode == 0 and again.stdout.splitlines()[-1] == "nothing fired"
