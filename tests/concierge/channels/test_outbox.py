"""The outbox sender against a fake Twilio: retries, permanent failures, crash reconciliation, ownership."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from sqlmodel import select
from twilio.rest import Client

from concierge.channels import sender as sender_module
from concierge.channels.sender import RebasedHttpClient, Sender
from concierge.conversation import outbox, service
from concierge.conversation.models import Author, Conversation, Outbox, OutboxStatus
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from knowledge.models import Property
from tests.factories import ACCOUNT_SID, AUTH_TOKEN, local_twilio, queue_replies, twilio_env
from tests.fakes.twilio_api import FakeTwilio


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    with local_twilio(monkeypatch, OUTBOX_RETRY_BASE_SECONDS="0") as fake:
        yield fake


def queue_reply(prop: Property, body: str = "Hola", author: str = "bot") -> int:
    [outbox_id] = queue_replies(prop, body, author=Author(author))
    return outbox_id


def row(outbox_id: int) -> Outbox:
    with session_scope() as s:
        return s.get_one(Outbox, outbox_id)


def sender() -> Sender:
    return Sender(get_settings(), now=utcnow)


def test_sent_reply_records_twilio_sid(fake: FakeTwilio, prop: Property) -> None:
    outbox_id = queue_reply(prop)
    assert sender().send_next()
    [sent] = fake.messages
    assert (sent["to"], sent["from_"], sent["body"]) == ("+34611111111", "+15005550006", "Hola")
    assert row(outbox_id).twilio_sid == sent["sid"]
    assert row(outbox_id).status == OutboxStatus.sent
    assert not sender().send_next()  # nothing left


def test_server_errors_are_retried_then_delivered_once(fake: FakeTwilio, prop: Property) -> None:
    outbox_id = queue_reply(prop)
    fake.fail_next(500, 503)
    s = sender()
    while s.send_next():
        pass
    assert fake.requests_seen == 3 and len(fake.messages) == 1
    assert row(outbox_id).status == OutboxStatus.sent and row(outbox_id).attempts == 3


def test_timeout_is_retried(fake: FakeTwilio, prop: Property, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_TIMEOUT_SECONDS", "0.3")
    get_settings.cache_clear()
    outbox_id = queue_reply(prop)
    fake.delay_next(1.0)
    assert sender().send_next()
    assert row(outbox_id).status == OutboxStatus.pending
    assert row(outbox_id).error_message


def test_invalid_number_fails_without_retry(fake: FakeTwilio, prop: Property) -> None:
    outbox_id = queue_reply(prop)
    fake.fail_next(400, code=21211)
    s = sender()
    while s.send_next():
        pass
    # One attempt at the guest; the other request is the staff alert of the escalation the failure opened.
    assert fake.requests_seen == 2 and [m["to"] for m in fake.messages] == ["+34600000001"]
    assert row(outbox_id).status == OutboxStatus.failed and row(outbox_id).error_code == "21211"


def test_crash_after_twilio_accepted_does_not_send_twice(fake: FakeTwilio, prop: Property) -> None:
    """The process died between Twilio's 201 and recording the SID: the next attempt finds the message."""
    outbox_id = queue_reply(prop, body="La contraseña es sol-y-mar")
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=RebasedHttpClient(fake.base_url, 5))
    delivered = client.messages.create(to="+34611111111", from_="+15005550006", body="La contraseña es sol-y-mar")
    with session_scope() as s:  # what the crashed attempt left behind: "sending", no SID
        r = s.get_one(Outbox, outbox_id)
        r.status, r.attempts = OutboxStatus.sending, 1
        r.attempt_started_at = utcnow() - timedelta(minutes=5)
    assert sender().send_next()
    assert fake.requests_seen == 1  # no second POST
    assert row(outbox_id).twilio_sid == delivered.sid and row(outbox_id).status == OutboxStatus.sent


def test_crash_before_twilio_accepted_sends_again(fake: FakeTwilio, prop: Property) -> None:
    outbox_id = queue_reply(prop)
    with session_scope() as s:
        r = s.get_one(Outbox, outbox_id)
        r.status, r.attempts = OutboxStatus.sending, 1
        r.attempt_started_at = utcnow() - timedelta(minutes=5)
    assert sender().send_next()
    assert len(fake.messages) == 1 and row(outbox_id).twilio_sid == fake.messages[0]["sid"]


def test_after_a_crashed_attempt_every_later_attempt_looks_for_it_first(
    fake: FakeTwilio, prop: Property, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attempt after a crash looked for the crashed one's message once; when that attempt failed too, the next
    one sent without looking (the crashed attempt's message could still show up at Twilio: a duplicate)."""
    outbox_id = queue_reply(prop)
    crashed_at = utcnow() - timedelta(minutes=5)
    with session_scope() as s:
        r = s.get_one(Outbox, outbox_id)
        r.status, r.attempts, r.attempt_started_at = OutboxStatus.sending, 1, crashed_at
    looked_since = []
    s = sender()
    look = s._already_sent
    monkeypatch.setattr(s, "_already_sent", lambda d: looked_since.append(d.reconcile_since) or look(d))
    fake.fail_next(500)
    assert s.send_next()  # looks, finds nothing, sends: Twilio answers 500
    assert row(outbox_id).status == OutboxStatus.pending
    assert s.send_next()  # looks again, then sends
    assert looked_since == [crashed_at, crashed_at]
    assert len(fake.messages) == 1 and row(outbox_id).status == OutboxStatus.sent


def test_in_flight_attempt_is_not_taken_twice(fake: FakeTwilio, prop: Property) -> None:
    outbox_id = queue_reply(prop)
    with session_scope() as s:
        assert outbox.claim_delivery(s, now=utcnow(), stale_after=60) is not None
    assert not sender().send_next()  # the first attempt is still within its time
    assert row(outbox_id).attempts == 1 and fake.requests_seen == 0


def test_bot_reply_is_cancelled_when_staff_took_over(fake: FakeTwilio, prop: Property) -> None:
    bot_id = queue_reply(prop, body="bot reply")
    with session_scope() as s:
        s.exec(select(Conversation)).one().owner = "staff:1"
    staff_id = queue_reply_in_same_conversation("staff reply")
    s = sender()
    while s.send_next():
        pass
    assert row(bot_id).status == OutboxStatus.cancelled
    assert [m["body"] for m in fake.messages] == ["staff reply"]
    assert row(staff_id).status == OutboxStatus.sent


def queue_reply_in_same_conversation(body: str) -> int:
    with session_scope() as s:
        conversation = s.exec(select(Conversation)).one()
        r = service.enqueue_reply(s, conversation=conversation, body=body, author="staff", now=utcnow())
        assert r.id is not None
        return r.id


def test_replies_leave_in_order_per_conversation(fake: FakeTwilio, prop: Property) -> None:
    first = queue_reply(prop, body="one")
    queue_reply_in_same_conversation("two")
    fake.fail_next(500)
    s = sender()
    assert s.send_next()  # "one" fails and waits for its retry
    assert row(first).status == OutboxStatus.pending
    while s.send_next():
        pass
    assert [m["body"] for m in fake.messages] == ["one", "two"]


def test_status_callbacks_never_move_backwards(fake: FakeTwilio, prop: Property) -> None:
    outbox_id = queue_reply(prop)
    sender().send_next()
    sid = row(outbox_id).twilio_sid
    assert sid
    with session_scope() as s:
        assert outbox.update_delivery(s, twilio_sid=sid, status="delivered", error_code=None)
        assert outbox.update_delivery(s, twilio_sid=sid, status="sent", error_code=None)
        assert not outbox.update_delivery(s, twilio_sid="SMunknown", status="delivered", error_code=None)
    assert row(outbox_id).status == OutboxStatus.delivered


def test_status_callback_attaches_sid_lost_in_a_crash(prop: Property) -> None:
    outbox_id = queue_reply(prop)
    with session_scope() as s:
        s.get_one(Outbox, outbox_id).status = OutboxStatus.sending
        assert outbox.update_delivery(s, twilio_sid="SMabc", status="sent", error_code=None, outbox_id=outbox_id)
    assert row(outbox_id).twilio_sid == "SMabc" and row(outbox_id).status == OutboxStatus.sent


def test_without_twilio_credentials_sms_replies_fail_visibly(prop: Property) -> None:
    outbox_id = queue_reply(prop)
    assert sender().send_next()
    assert row(outbox_id).status == OutboxStatus.failed and row(outbox_id).error_code == "not_configured"


def test_timed_out_send_that_twilio_accepted_is_not_sent_again(
    fake: FakeTwilio, prop: Property, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twilio answered after our timeout but created the message: the retry finds it instead of resending."""
    monkeypatch.setenv("TWILIO_TIMEOUT_SECONDS", "0.3")
    get_settings.cache_clear()
    outbox_id = queue_reply(prop)
    fake.delay_next(0.6)
    s = sender()
    assert s.send_next()  # times out
    [accepted] = fake.wait_for(1)
    assert row(outbox_id).status == OutboxStatus.pending
    with session_scope() as session:  # skip the wait before the next attempt
        session.get_one(Outbox, outbox_id).next_attempt_at = utcnow()
    assert s.send_next()
    assert fake.requests_seen == 1 and len(fake.messages) == 1
    assert row(outbox_id).twilio_sid == accepted["sid"] and row(outbox_id).status == OutboxStatus.sent


def test_rate_limit_waits_for_twilios_retry_after(fake: FakeTwilio, prop: Property) -> None:
    """The official client drops the headers from its exception; the sender still reads Retry-After."""
    outbox_id = queue_reply(prop)
    fake.fail_next(429, retry_after=120)
    before = utcnow()
    assert sender().send_next()
    waiting = row(outbox_id)
    assert waiting.status == OutboxStatus.pending and waiting.error_message == "HTTP 429"
    assert waiting.next_attempt_at >= before + timedelta(seconds=120)


def test_retry_waits_a_full_jitter_backoff(fake: FakeTwilio, prop: Property, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTBOX_RETRY_BASE_SECONDS", "10")
    get_settings.cache_clear()
    outbox_id = queue_reply(prop)
    fake.fail_next(500, 500)
    now = utcnow()
    s = Sender(get_settings(), now=lambda: now, rng=lambda: 0.25)
    assert s.send_next()
    assert row(outbox_id).next_attempt_at == now + timedelta(seconds=2.5)  # a quarter of 10 s
    later = now + timedelta(seconds=3)
    s.now = lambda: later
    assert s.send_next()
    assert row(outbox_id).next_attempt_at == later + timedelta(seconds=5)  # a quarter of 20 s


def test_the_proxy_environment_is_read_once_and_still_applies(
    fake: FakeTwilio, prop: Property, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # the fake Twilio on loopback is reached directly
    reads: list[str] = []

    def environ_proxies(url: str, no_proxy: str | None = None) -> dict[str, str]:
        reads.append(url)
        return requests.utils.get_environ_proxies(url, no_proxy)

    monkeypatch.setattr(requests.sessions, "get_environ_proxies", environ_proxies)  # what requests calls per request
    monkeypatch.setattr(sender_module, "get_environ_proxies", environ_proxies)
    s = sender()
    queue_replies(prop, "Hola", "Adiós", "Gracias")
    while s.send_next():
        pass
    assert [m["body"] for m in fake.messages] == ["Hola", "Adiós", "Gracias"]
    assert reads == [fake.base_url]  # once, when the client was built; requests read it for every request before
    twilio = RebasedHttpClient("https://api.twilio.com", timeout=1)
    assert twilio.proxy["https"] == "http://proxy.example:3128"  # the real Twilio still goes through the proxy


def test_each_sending_thread_keeps_its_connection_to_twilio(monkeypatch: pytest.MonkeyPatch) -> None:
    """Twelve sending threads at once, twice: twelve persistent connections, none closed for a full pool."""
    twilio_env(monkeypatch, SENDER_CONCURRENCY="12")
    assert sender().http.adapter._pool_maxsize == 12  # type: ignore[union-attr]  # one per sending thread
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, keep_alive=True) as fake:
        client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=RebasedHttpClient(fake.base_url, 5, pool_size=12))
        for round_ in range(2):
            fake.delay_next(0.3, count=12)  # all twelve in flight together
            with ThreadPoolExecutor(12) as pool:
                sids = list(
                    pool.map(
                        lambda i: client.messages.create(to=f"+3461100{i:04d}", from_="+15005550006", body="Hola").sid,
                        range(12 * round_, 12 * round_ + 12),
                    )
                )
            assert len(set(sids)) == 12
        assert len(fake.messages) == 24 and fake.connections == 12
