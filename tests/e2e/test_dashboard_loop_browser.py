"""The improvement loop in real headless Chromium: guests write through signed Twilio webhooks to a running server,
a staff member marks replies in the console (one of them after the guest said "that's wrong"), then the owner reads
the dashboard's loop section, checks the marked cases on the published version (a real `concierge eval --marked`
process started by the server) and reads the result, at desktop (1280 px) and phone (390 px) widths.

UPDATE_SCREENSHOTS=1 writes docs/screenshots/dashboard-loop-1280.png and dashboard-loop-390.png.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from knowledge.models import Property
from tests.e2e.server import running_server
from tests.factories import JOHN, STRANGER, add_user, console_sign_in, fill_sign_in, server_env, text_by_sms
from tests.fakes.twilio_api import FakeTwilio


@pytest.fixture(scope="module")
def server(fake_twilio: FakeTwilio, database_url: str) -> Iterator[str]:
    with running_server(server_env(database_url, fake_twilio.base_url, SESSION_SECRET="loop-browser-secret")) as base:
        yield base


def test_marks_show_on_the_dashboard_and_the_cases_are_checked_on_the_published_version(
    browser: Any, server: str, fake_twilio: FakeTwilio, prop: Property, shots: Path
) -> None:
    assert "15:00" in text_by_sms(server, fake_twilio, JOHN, "what time is check-in?")
    assert "CasaTest-5G" in text_by_sms(server, fake_twilio, STRANGER, "what's the wifi password?")
    text_by_sms(server, fake_twilio, STRANGER, "that's wrong, I asked about the parking")
    add_user("staff@example.com", role="staff")
    add_user("owner@example.com")
    shots.mkdir(parents=True, exist_ok=True)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    console_sign_in(page, server, "staff@example.com")
    page.goto(f"{server}/console/properties/casa-test/cases")
    assert "Replies guests said were wrong" in page.inner_text("#waiting")
    page.locator("#waiting a").first.click()  # the guest's "that's wrong": confirm it with a mark
    assert "Confirm it by choosing what was wrong below, or:" in page.inner_text("main")
    guest_marked = page.locator("div.mark").filter(has_text="Wrong, the guest said so")
    guest_marked.locator("summary").click()
    guest_marked.get_by_label("This reply was").select_option(label="Wrong topic")
    guest_marked.get_by_label("The entry it should have used").select_option(label="Parking")
    guest_marked.get_by_role("button", name="Save the mark").click()
    page.wait_for_load_state()
    assert "confirmed by your team" in page.inner_text("main")
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/login?next=/admin/p/casa-test/dashboard")
    fill_sign_in(page, "owner@example.com")
    page.wait_for_url(f"{server}/admin/p/casa-test/dashboard")
    rows = page.inner_text("#t-wrong-topics tbody")
    assert rows.split("\t")[:4] == ["Wi-Fi", "1", "wrong topic (1)", "Parking"]
    assert "1 marked cases, not yet checked on the published version 1." in page.inner_text("#loop-cases")
    page.get_by_role("button", name="Check the marked cases now").click()
    page.wait_for_url(f"{server}/admin/p/casa-test/dashboard#loop", timeout=120_000)
    assert "0 of 1" in page.inner_text("#loop-cases .count")  # the reply used Wi-Fi; the case wants Parking
    assert "marked cases pass on version 1" in page.inner_text("#loop-cases")
    page.locator("#loop").screenshot(path=str(shots / "dashboard-loop-1280.png"))

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.querySelector('#loop').scrollWidth <= window.innerWidth")
    assert width, "the loop section fits a phone's width (its table scrolls inside)"
    page.locator("#loop").screenshot(path=str(shots / "dashboard-loop-390.png"))
    context.close()
