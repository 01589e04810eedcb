"""A guest texts over SMS or WhatsApp; the real server stores, answers, and sends through a fake Twilio."""

import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest
from sqlmodel import func, select

from concierge.conversation.models import Message, Outbox, OutboxStatus
from concierge.core.db import session_scope
from knowledge.models import Property
from tests.e2e.server import running_server
from tests.factories import ACCOUNT_SID, PROPERTY_NUMBER, post_webhook, server_env, sign
from tests.fakes.twilio_api import FakeTwilio


@pytest.fixture(scope="module")
def server(fake_twilio: FakeTwilio, database_url: str) -> Iterator[str]:
    env = server_env(
        database_url,
        fake_twilio.base_url,
        OUTBOX_RETRY_BASE_SECONDS="0.05",
    )
    with running_server(env) as base:
        yield base


@pytest.fixture(autouse=True)
def fresh_fake(fake_twilio: FakeTwilio) -> None:
    fake_twilio.reset()


def stored_messages() -> int:
    with session_scope() as s:
        return int(s.exec(select(func.count()).select_from(Message).where(Message.direction == "in")).one())


def test_sms_question_is_answered_from_the_knowledge_base(server: str, fake_twilio: FakeTwilio, prop: Property) -> None:
    response = post_webhook(server, body="wiifi pasword")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert "<Response/>" in response.text
    [sent] = fake_twilio.wait_for(1)
    assert sent["to"] == "+34611111111"
    assert sent["from_"] == PROPERTY_NUMBER
    assert sent["body"] == "Red CasaTest-5G, contraseña sol-y-mar-2024."
    assert sent["status_callback"].startswith(f"{server}/twilio/status?outbox=")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with session_scope() as s:
            row = s.exec(select(Outbox)).one()
            if row.twilio_sid:
                break
        time.sleep(0.05)
    assert row.twilio_sid == sent["sid"] and row.status == OutboxStatus.sent


def test_whatsapp_reply_goes_back_on_whatsapp(server: str, fake_twilio: FakeTwilio, prop: Property) -> None:
    response = post_webhook(
        server, body="where can I park?", sender="whatsapp:+447700900123", to=f"whatsapp:{PROPERTY_NUMBER}"
    )
    assert response.status_code == 200
    [sent] = fake_twilio.wait_for(1)
    assert sent["to"] == "whatsapp:+447700900123"
    assert sent["from_"] == f"whatsapp:{PROPERTY_NUMBER}"
    assert sent["body"] == "Space 14 in the garage at Calle Mar 3."


def test_retried_webhook_is_stored_and_answered_once(server: str, fake_twilio: FakeTwilio, prop: Property) -> None:
    sid = f"SM{uuid.uuid4().hex}"
    assert post_webhook(server, body="parking?", sid=sid).status_code == 200
    assert post_webhook(server, body="parking?", sid=sid).status_code == 200
    fake_twilio.wait_for(1)
    time.sleep(0.5)  # give a wrongly queued second reply time to leave
    assert len(fake_twilio.messages) == 1
    assert stored_messages() == 1


@pytest.mark.parametrize("signature", ["bad-signature", None], ids=["bad", "missing"])
def test_unsigned_or_badly_signed_webhook_is_refused(
    server: str, fake_twilio: FakeTwilio, prop: Property, signature: str | None
) -> None:
    response = post_webhook(server, body="wifi?", signature=signature)
    assert response.status_code == 403
    assert stored_messages() == 0
    time.sleep(0.2)
    assert fake_twilio.messages == []


def test_signature_for_another_url_is_refused(server: str, prop: Property) -> None:
    params = {"MessageSid": "SM1", "From": "+34611111111", "To": PROPERTY_NUMBER, "Body": "wifi"}
    signature = sign("https://proxy.example.com/twilio/messages", params)
    response = httpx.post(f"{server}/twilio/messages", data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    assert stored_messages() == 0


def test_empty_body_gets_a_reply(server: str, fake_twilio: FakeTwilio, prop: Property) -> None:
    assert post_webhook(server, body="").status_code == 200
    [sent] = fake_twilio.wait_for(1)
    assert sent["to"] == "+34611111111" and sent["body"]
    assert stored_messages() == 1


def test_very_long_body_is_stored_whole_and_answered(server: str, fake_twilio: FakeTwilio, prop: Property) -> None:
    body = "What is the wifi password? " + "x" * (5000 - 27)
    assert post_webhook(server, body=body).status_code == 200
    [sent] = fake_twilio.wait_for(1)
    assert "sol-y-mar-2024" in sent["body"]
    with session_scope() as s:
        assert len(s.exec(select(Message).where(Message.direction == "in")).one().body) == 5000


def test_non_utf8_junk_is_stored_not_crashed_on(server: str, fake_twilio: FakeTwilio, prop: Property) -> None:
    url = f"{server}/twilio/messages"
    raw = "MessageSid=SMjunk&From=%2B34611111111&To=%2B15005550006&Body=wifi%FF%FE%00%C3"
    # Sign what the server can see: invalid bytes decode to U+FFFD.
    params = {
        "MessageSid": "SMjunk",
        "From": "+34611111111",
        "To": PROPERTY_NUMBER,
        "Body": "wifi\ufffd\ufffd\x00\ufffd",
    }
    response = httpx.post(
        url,
        content=raw.encode() + b"\xff",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sign(url, {**params, "Body": params["Body"] + "\ufffd"}),
        },
    )
    assert response.status_code == 200
    [sent] = fake_twilio.wait_for(1)
    assert "sol-y-mar-2024" in sent["body"]
    with session_scope() as s:
        stored = s.exec(select(Message).where(Message.direction == "in")).one().body
    assert "\x00" not in stored and stored.startswith("wifi")


def test_twilio_failing_twice_then_accepting_sends_one_reply(
    server: str, fake_twilio: FakeTwilio, prop: Property
) -> None:
    fake_twilio.fail_next(500, 500)
    assert post_webhook(server, body="wifi password").status_code == 200
    [sent] = fake_twilio.wait_for(1)
    assert "sol-y-mar-2024" in sent["body"]
    row = recorded_outbox(timeout=10)  # the SID is recorded just after Twilio answers
    assert fake_twilio.requests_seen == 3
    assert len(fake_twilio.messages) == 1
    assert row.attempts == 3 and row.twilio_sid == sent["sid"]


def recorded_outbox(timeout: float) -> Outbox:
    """The one outbox row, once its Twilio SID is recorded."""
    deadline = time.monotonic() + timeout
    while True:
        with session_scope() as s:
            row = s.exec(select(Outbox)).one()
        if row.twilio_sid or time.monotonic() > deadline:
            return row
        time.sleep(0.05)


def test_status_callback_records_delivery(server: str, fake_twilio: FakeTwilio, prop: Property) -> None:
    post_webhook(server, body="wifi")
    [sent] = fake_twilio.wait_for(1)
    url = sent["status_callback"]
    params = {"MessageSid": sent["sid"], "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID}
    recorded_outbox(timeout=5)
    response = httpx.post(url, data=params, headers={"X-Twilio-Signature": sign(url, params)})
    assert response.status_code == 200
    with session_scope() as s:
        assert s.exec(select(Outbox)).one().status == OutboxStatus.delivered
    unsigned = httpx.post(url, content=urlencode(params), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert unsigned.status_code == 403


def test_message_to_an_unknown_number_is_acknowledged_not_stored(server: str, prop: Property) -> None:
    assert post_webhook(server, body="wifi", to="+15005550999").status_code == 200
    assert stored_messages() == 0
