"""The staff console in real headless Chromium against the real server (worker in-process) and a fake Twilio.

A guest asks for a person over SMS or WhatsApp; staff get an SMS with the console link within that one turn;
the escalation appears in the open console without a reload; staff claim, reply on the guest's channel, hand
back; the bot answers the next question. Staff of one property get a 404 for another's conversation.
Debian's chromium only; without it these tests skip with the reason, except under CI=true.
"""

import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from concierge.conversation.models import Conversation
from concierge.core.db import session_scope
from knowledge.models import Property
from tests.conftest import ROOT, make_property, pack_data
from tests.e2e.server import ACCOUNT_SID, running_server, server_env, sign
from tests.factories import PASSWORD, add_user
from tests.fakes.twilio_api import FakeTwilio

SCREENSHOTS = ROOT / "docs" / "screenshots"  # UPDATE_SCREENSHOTS=1 refreshes them; otherwise a temporary folder
PROPERTY_NUMBER = "+15005550006"
GUEST = "+34611111111"
STAFF_PHONE = "+34600000001"


@pytest.fixture(scope="module")
def server(fake_twilio: FakeTwilio, database_url: str) -> Iterator[str]:
    env = server_env(
        database_url,
        fake_twilio.base_url,
        SESSION_SECRET="console-browser-secret",
    )
    with running_server(env, timeout=60) as base:  # a shared, loaded machine can take long to import
        yield base


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path


def guest_writes(server: str, body: str, *, channel: str = "sms") -> None:
    prefix = "whatsapp:" if channel == "whatsapp" else ""
    params = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "AccountSid": ACCOUNT_SID,
        "From": prefix + GUEST,
        "To": prefix + PROPERTY_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }
    url = f"{server}/twilio/messages"
    response = httpx.post(url, data=params, headers={"X-Twilio-Signature": sign(url, params)}, timeout=10)
    assert response.status_code == 200


def sent_to(fake: FakeTwilio, address: str, count: int = 1, timeout: float = 15) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in fake.messages if m["to"] == address]
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{count} message(s) to {address} never arrived: {fake.messages}")


def sign_in(page: Any, server: str, email: str) -> None:
    page.goto(f"{server}/console")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("h1:has-text('Escalations')")


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
def test_escalation_claim_reply_hand_back_on_the_guest_channel(
    browser: Any, server: str, fake_twilio: FakeTwilio, prop: Property, shots: Path, channel: str
) -> None:
    fake_twilio.reset()
    add_user("marta@example.com", role="staff", properties=("casa-test",))
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    sign_in(page, server, "marta@example.com")
    assert page.locator("#empty-queue").is_visible()
    page.evaluate("window.__notReloaded = true")

    guest_writes(server, "I want to talk to a person please", channel=channel)
    guest = ("whatsapp:" if channel == "whatsapp" else "") + GUEST
    # Within that one turn: the guest is told when a person will reply, and staff get an SMS with the link.
    [notice] = sent_to(fake_twilio, guest)
    assert "15 minutes" in notice["body"]
    [alert] = sent_to(fake_twilio, STAFF_PHONE)
    assert alert["from_"] == PROPERTY_NUMBER
    link = re.search(r"(http://\S+/console/conversations/\d+)", alert["body"])
    assert link, alert["body"]

    row = page.wait_for_selector("tr[data-escalation]", timeout=15000)  # arrives over SSE, no reload
    assert page.evaluate("window.__notReloaded") is True
    assert "the guest asked for a person" in row.inner_text()
    if channel == "sms":
        page.screenshot(path=str(shots / "console-queue.png"), full_page=True)

    page.goto(link.group(1))  # the link in the staff SMS opens the conversation
    assert "Hand-off card" in page.content() and "Ana López" in page.content()
    if channel == "sms":
        page.screenshot(path=str(shots / "console-conversation.png"), full_page=True)
    with page.expect_navigation():  # the form posts and redirects back: type only into the new page
        page.click("#claim")
    page.wait_for_selector("#owner:has-text('you')")
    page.fill("#reply-body", "Hola Ana, soy Marta. ¿En qué te ayudo?")
    with page.expect_navigation():  # the form posts and redirects back: type only into the new page
        page.click("#send")
    [staff_reply] = sent_to(fake_twilio, guest, count=2)[1:]
    assert staff_reply["body"] == "Hola Ana, soy Marta. ¿En qué te ayudo?"
    assert staff_reply["from_"] == ("whatsapp:" if channel == "whatsapp" else "") + PROPERTY_NUMBER
    page.wait_for_selector("#transcript li.staff")  # the page after the post, before typing into it

    page.fill("#note-body", "Asked for towels; delivered")
    with page.expect_navigation():  # the form posts and redirects back: type only into the new page
        page.click("#add-note")
    page.wait_for_selector("#notes li:has-text('towels')")
    page.fill("#hand-back-note", "Towels delivered")
    with page.expect_navigation():  # the form posts and redirects back: type only into the new page
        page.click("#hand-back")
    page.wait_for_selector("#owner:has-text('bot')")
    if channel == "sms":
        page.screenshot(path=str(shots / "console-handed-back.png"), full_page=True)

    guest_writes(server, "where can I park?", channel=channel)
    answers = sent_to(fake_twilio, guest, count=3)
    assert answers[2]["body"] == "Space 14 in the garage at Calle Mar 3."
    assert all("towels" not in m["body"].lower() for m in fake_twilio.messages)  # the note never left
    page.close()


def test_staff_of_one_property_cannot_open_another(browser: Any, server: str, prop: Property) -> None:
    data = pack_data()
    data["property"] = {**data["property"], "slug": "casa-b", "name": "Casa B", "phone_numbers": ["+15005550007"]}
    make_property(property=data["property"], reservations=[])
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": GUEST, "To": "+15005550007", "Body": "talk to a person"}
    url = f"{server}/twilio/messages"
    httpx.post(url, data=params, headers={"X-Twilio-Signature": sign(url, params)}, timeout=10)
    deadline = time.monotonic() + 15
    other = None
    while other is None and time.monotonic() < deadline:
        with session_scope() as s:
            other = s.exec(select(Conversation).where(Conversation.property_address == "+15005550007")).first()
        time.sleep(0.05)
    assert other is not None
    add_user("marta@example.com", role="staff", properties=("casa-test",))
    page = browser.new_page()
    sign_in(page, server, "marta@example.com")
    response = page.goto(f"{server}/console/conversations/{other.id}")
    assert response is not None and response.status == 404
    assert "Casa B" not in page.content()
    page.goto(f"{server}/console")
    assert "Casa B" not in page.content()
    page.close()
