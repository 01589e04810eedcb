"""The owner's admin pages in real headless Chromium against the real server and a fake Twilio.

Debian's chromium is used (never a downloaded browser). Without it these tests skip with the reason,
except under CI=true, where a missing browser is a failure.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from knowledge.models import Property
from tests.e2e.server import running_server
from tests.factories import PASSWORD, add_user, fill_sign_in, guest_writes, other_property, server_env
from tests.fakes.twilio_api import FakeTwilio


@pytest.fixture(scope="module")
def server(fake_twilio: FakeTwilio, database_url: str) -> Iterator[str]:
    env = server_env(
        database_url,
        fake_twilio.base_url,
        SESSION_SECRET="browser-test-secret",
    )
    with running_server(env) as base:
        yield base


def ask_by_sms(server: str, fake: FakeTwilio, body: str) -> str:
    """A signed Spanish webhook from the booked guest; returns the reply the fake Twilio received."""
    fake.reset()
    guest_writes(server, body)
    [sent] = fake.wait_for(1)
    return str(sent["body"])


def test_owner_edits_checks_rolls_back_and_stays_in_scope(
    browser: Any, server: str, fake_twilio: FakeTwilio, prop: Property, shots: Path
) -> None:
    other_property()
    add_user("owner@example.com")
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()

    page.goto(f"{server}/admin")
    assert page.url.startswith(f"{server}/login")
    fill_sign_in(page, "owner@example.com")
    page.wait_for_url(f"{server}/admin")
    page.get_by_role("link", name="Casa Test").click()
    page.screenshot(path=str(shots / "admin-editor.png"), full_page=True)

    page.get_by_role("link", name="Edit Check-in").click()
    page.get_by_label("Content in Spanish").fill("La entrada es a partir de las 16:30.")
    page.get_by_label("Content in English").fill("Check-in is from 16:30.")
    page.screenshot(path=str(shots / "admin-entry.png"), full_page=True)
    page.get_by_role("button", name="Save in the draft").click()
    assert "Saved in your draft" in page.inner_text("main")
    assert "15:00" in ask_by_sms(server, fake_twilio, "¿a qué hora es el check-in?")  # a draft is not live

    page.get_by_role("link", name="Preview").click()
    page.get_by_label("Question").fill("what time is check-in?")
    page.get_by_role("button", name="Ask").click()
    assert page.inner_text("#preview-reply") == "Check-in is from 16:30."  # the draft, previewed
    assert page.inner_text("#preview-entries") == "Check-in"  # the topic in words
    page.screenshot(path=str(shots / "admin-preview.png"), full_page=True)

    page.locator("nav.tabs").get_by_role("link", name="Knowledge").click()
    page.get_by_role("link", name="Review and publish").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    assert "Published version 2" in page.inner_text("main")
    assert "16:30" in ask_by_sms(server, fake_twilio, "¿a qué hora es el check-in?")

    page.get_by_role("link", name="History").click()
    assert "16:30" in page.inner_text("ins")
    page.screenshot(path=str(shots / "admin-history.png"), full_page=True)
    page.click("#rollback-1")
    page.screenshot(path=str(shots / "admin-rollback.png"), full_page=True)
    page.get_by_role("button", name="Yes, publish v1 again").click()
    assert "Published version 3" in page.inner_text("main")

    assert "15:00" in ask_by_sms(server, fake_twilio, "¿a qué hora es el check-in?")

    page.locator("nav.tabs").get_by_role("link", name="Knowledge").click()  # the header has a Knowledge link too
    assert "Ana López" in page.inner_text(".corrections")  # she was told 16:30, which is gone again

    response = page.goto(f"{server}/admin/p/casa-b")
    assert response is not None and response.status == 404
    refused = page.request.post(
        f"{server}/admin/p/casa-test/entries/check_in", form={"topic": "check_in", "title": "x", "languages": ""}
    )
    assert refused.status == 403

    phone = browser.new_context(viewport={"width": 390, "height": 844}, storage_state=context.storage_state())
    small = phone.new_page()
    small.goto(f"{server}/admin/p/casa-test/reservations")
    width = small.evaluate("document.documentElement.scrollWidth")
    small.screenshot(path=str(shots / "admin-reservations-phone.png"), full_page=True)
    assert width <= 390 + 1, "the reservations page scrolls sideways on a phone"
    phone.close()
    context.close()


def test_keyboard_only_sign_in(browser: Any, server: str, prop: Property) -> None:
    add_user("owner@example.com")
    page = browser.new_page()
    page.goto(f"{server}/login")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'email'")  # autofocus
    page.keyboard.type("owner@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/admin")
    assert "Casa Test" in page.inner_text("main")
    page.close()
