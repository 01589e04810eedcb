"""The Twilio fake, exercised through the official twilio client over loopback HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from .twilio_api import FakeTwilio

TWILIO_URL = "https://api.twilio.com"
GUEST = "+15550001111"
OTHER_GUEST = "+15550002222"
HOUSE = "+15559990000"


class Rebased(TwilioHttpClient):
    """A TwilioHttpClient that sends api.twilio.com requests to the fake instead."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if url.startswith(TWILIO_URL):
            url = self.base_url + url.removeprefix(TWILIO_URL)
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio() as running:
        yield running


def client_for(fake: FakeTwilio, token: str | None = None, **http: Any) -> Client:
    return Client(fake.account_sid, token or fake.auth_token, http_client=Rebased(fake.base_url, **http))


def test_create_returns_sid_and_records_message(fake: FakeTwilio) -> None:
    message = client_for(fake).messages.create(
        to=GUEST, from_=HOUSE, body="Check-in is at 3pm.", status_callback="https://example.test/status"
    )

    assert message.sid is not None and message.sid.startswith("SM") and len(message.sid) == 34
    assert message.status == "queued"
    assert message.direction == "outbound-api"
    assert isinstance(message.date_created, datetime)
    assert message.date_sent is None
    [recorded] = fake.messages
    assert recorded["sid"] == message.sid
    assert (recorded["to"], recorded["from_"], recorded["body"]) == (GUEST, HOUSE, "Check-in is at 3pm.")
    assert recorded["status_callback"] == "https://example.test/status"
    assert client_for(fake).messages(message.sid).fetch().body == "Check-in is at 3pm."


def test_approved_template_is_recorded_with_its_variables(fake: FakeTwilio) -> None:
    variables = json.dumps({"1": "Ana", "2": "Casa Azul"})
    client_for(fake).messages.create(
        to="whatsapp:" + GUEST, from_="whatsapp:" + HOUSE, content_sid="HX" + "a" * 32, content_variables=variables
    )

    [recorded] = fake.messages
    assert recorded["content_sid"] == "HX" + "a" * 32
    assert json.loads(recorded["content_variables"]) == {"1": "Ana", "2": "Casa Azul"}
    assert recorded["body"] == ""


def test_neither_body_nor_template_is_21602(fake: FakeTwilio) -> None:
    with pytest.raises(TwilioRestException) as caught:
        client_for(fake).messages.create(to=GUEST, from_=HOUSE, content_sid="not-a-template")
    assert caught.value.code == 21656
    with pytest.raises(TwilioRestException) as caught:
        client_for(fake).messages.create(to=GUEST, from_=HOUSE, body="")
    assert caught.value.code == 21602
    assert fake.messages == []


def test_wrong_token_is_401(fake: FakeTwilio) -> None:
    with pytest.raises(TwilioRestException) as caught:
        client_for(fake, token="wrong").messages.create(to=GUEST, from_=HOUSE, body="hi")

    assert caught.value.status == 401
    assert caught.value.code == 20003
    assert fake.messages == []


def test_wrong_account_in_path_is_404(fake: FakeTwilio) -> None:
    response = requests.post(
        f"{fake.base_url}/2010-04-01/Accounts/AC{'1' * 32}/Messages.json",
        data={"To": GUEST, "From": HOUSE, "Body": "hi"},
        auth=(fake.account_sid, fake.auth_token),
        timeout=5,
    )

    assert response.status_code == 404
    assert response.json()["code"] == 20404


def test_scripted_server_errors_then_success(fake: FakeTwilio) -> None:
    fake.fail_next(500, 500)
    client = client_for(fake)

    for _ in range(2):
        with pytest.raises(TwilioRestException) as caught:
            client.messages.create(to=GUEST, from_=HOUSE, body="hi")
        assert caught.value.status == 500
    client.messages.create(to=GUEST, from_=HOUSE, body="hi")

    assert fake.requests_seen == 3
    assert len(fake.messages) == 1


def test_scripted_invalid_number(fake: FakeTwilio) -> None:
    fake.fail_next(400, code=21211)

    with pytest.raises(TwilioRestException) as caught:
        client_for(fake).messages.create(to="+1", from_=HOUSE, body="hi")

    assert caught.value.status == 400
    assert caught.value.code == 21211
    assert fake.messages == []


def test_rate_limit_carries_retry_after(fake: FakeTwilio) -> None:
    fake.fail_next(429, retry_after=2)

    response = requests.post(
        f"{fake.base_url}/2010-04-01/Accounts/{fake.account_sid}/Messages.json",
        data={"To": GUEST, "From": HOUSE, "Body": "hi"},
        auth=(fake.account_sid, fake.auth_token),
        timeout=5,
    )

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert response.json()["code"] == 20429


def test_delay_trips_client_timeout_but_message_still_lands(fake: FakeTwilio) -> None:
    fake.delay_next(1.0)

    with pytest.raises(requests.exceptions.ReadTimeout):
        client_for(fake, timeout=0.2).messages.create(to=GUEST, from_=HOUSE, body="slow")

    # Like Twilio, the fake accepted the message even though the client gave up waiting.
    [recorded] = fake.wait_for(1, timeout=5)
    assert recorded["body"] == "slow"


def test_list_filters_by_to_from_and_date_sent_after(fake: FakeTwilio) -> None:
    client = client_for(fake)
    times = iter(
        [
            datetime(2026, 11, 23, 15, 0, tzinfo=UTC),
            datetime(2026, 11, 23, 16, 0, tzinfo=UTC),
            datetime(2026, 11, 23, 17, 0, tzinfo=UTC),
            datetime(2026, 11, 23, 17, 30, tzinfo=UTC),
        ]
    )
    fake.clock = lambda: next(times)
    client.messages.create(to=GUEST, from_=HOUSE, body="early")
    client.messages.create(to=GUEST, from_=HOUSE, body="on time")
    client.messages.create(to=OTHER_GUEST, from_=HOUSE, body="someone else")
    client.messages.create(to=GUEST, from_="+15558887777", body="other sender")

    found = client.messages.list(to=GUEST, from_=HOUSE, date_sent_after=datetime(2026, 11, 23, 16, 0, tzinfo=UTC))

    assert [m.body for m in found] == ["on time"]
    assert found[0].date_created == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    assert [m.body for m in client.messages.list(to=GUEST)] == ["other sender", "on time", "early"]


def test_list_follows_pages(fake: FakeTwilio) -> None:
    client = client_for(fake)
    for number in range(5):
        client.messages.create(to=GUEST, from_=HOUSE, body=f"m{number}")

    assert len(client.messages.list(page_size=2)) == 5


def test_wait_for_times_out_with_assertion(fake: FakeTwilio) -> None:
    client_for(fake).messages.create(to=GUEST, from_=HOUSE, body="only one")

    with pytest.raises(AssertionError, match="expected 2 Twilio messages"):
        fake.wait_for(2, timeout=0.2)


def test_reset_forgets_everything(fake: FakeTwilio) -> None:
    client_for(fake).messages.create(to=GUEST, from_=HOUSE, body="hi")
    fake.fail_next(500)

    fake.reset()
    client_for(fake).messages.create(to=GUEST, from_=HOUSE, body="again")

    assert [m["body"] for m in fake.messages] == ["again"]
    assert fake.requests_seen == 1
