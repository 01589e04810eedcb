"""The hand-off card in real headless Chromium: a past guest reports a gas leak after asking for a refund; the card
leads with the gas leak and its message, the phone is a tel: link, and her ended stay is shown.
Debian's chromium only; without it these tests skip with the reason, except under CI=true.
"""

import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from babel.dates import format_skeleton
from sqlmodel import select

from concierge.core.db import session_scope
from escalation.models import Escalation
from knowledge.models import Property
from tests.e2e.server import running_server
from tests.factories import ACCOUNT_SID, PASSWORD, add_user, make_property, pack_data, server_env, sign
from tests.fakes.twilio_api import FakeTwilio

PROPERTY_NUMBER = "+15005550006"
CLARA = "+34633333333"  # her stay ended last week
REFUND = "Hi, the heating didn't work during my stay, I'd like a partial refund please"
GAS = "Sorry I'm back at the flat to pick up my keys and it smells of gas in the kitchen!! what do I do"


@pytest.fixture(scope="module")
def server(fake_twilio: FakeTwilio, database_url: str) -> Iterator[str]:
    env = server_env(database_url, fake_twilio.base_url, SESSION_SECRET="card-browser-secret")
    with running_server(env, timeout=60) as base:
        yield base


@pytest.fixture
def house(database_url: str) -> Property:
    today = date.today()
    data = pack_data()
    past = {
        "guest_name": "Clara Vidal",
        "phone": CLARA,
        "check_in": (today - timedelta(days=10)).isoformat(),
        "check_out": (today - timedelta(days=6)).isoformat(),
        "language": "en",
        "guests": 1,
    }
    return make_property(reservations=[*data["reservations"], past])


def guest_writes(server: str, body: str) -> None:
    params = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "AccountSid": ACCOUNT_SID,
        "From": CLARA,
        "To": PROPERTY_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }
    url = f"{server}/twilio/messages"
    response = httpx.post(url, data=params, headers={"X-Twilio-Signature": sign(url, params)}, timeout=10)
    assert response.status_code == 200


def escalation_with(reasons: int, timeout: float = 30) -> Escalation:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope() as s:
            found = s.exec(select(Escalation)).first()
            if found is not None and len(found.raised()) >= reasons:
                return found
        time.sleep(0.1)
    raise AssertionError(f"no escalation with {reasons} reason(s)")


def test_card_leads_with_the_gas_leak_shows_the_phone_and_the_ended_stay(
    browser: Any, server: str, fake_twilio: FakeTwilio, house: Property
) -> None:
    fake_twilio.reset()
    guest_writes(server, REFUND)
    escalation_with(1)
    guest_writes(server, GAS)
    escalation = escalation_with(2)

    add_user("marta@example.com", role="staff", properties=("casa-test",))
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{server}/console")
    page.get_by_label("Email").fill("marta@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("h1:has-text('Escalations')")
    row = page.wait_for_selector("tr[data-escalation]")
    assert row is not None and "gas leak reported" in row.inner_text() and "smells of gas" in row.inner_text()

    page.goto(f"{server}/console/conversations/{escalation.conversation_id}")
    assert "gas leak reported" in page.inner_text("#card-reason")
    assert "smells of gas" in page.inner_text("#card-trigger")
    reasons = page.inner_text("#card-reasons")
    assert "the guest asks for a refund" in reasons and "gas leak reported" in reasons and "policy:" not in reasons
    assert page.get_attribute("#guest-phone", "href") == f"tel:{CLARA}"
    ended = format_skeleton("MMMd", date.today() - timedelta(days=6), locale="en")  # in the reader's locale
    assert f"stay ended {ended}" in page.inner_text("#guest-stay")
    assert page.locator("#link-booking").count() == 0  # a past guest is not an unknown number
    page.close()
