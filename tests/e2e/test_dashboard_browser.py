"""The owner dashboard in real headless Chromium: traffic goes in through signed Twilio webhooks to a running
server (its worker answers, a fake Twilio receives the replies), then the owner reads the real numbers, adds a
knowledge entry from a gap, and the next guest asking the same question gets the answer.

UPDATE_SCREENSHOTS=1 writes docs/screenshots/dashboard.png for the README.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from knowledge.models import Property
from tests.e2e.server import running_server
from tests.factories import ANA, EVE, JOHN, add_user, fill_sign_in, server_env, text_by_sms
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


def test_dashboard_shows_real_traffic_and_a_gap_becomes_an_entry(
    browser: Any, server: str, fake_twilio: FakeTwilio, prop: Property, shots: Path
) -> None:
    assert "15:00" in text_by_sms(server, fake_twilio, JOHN, "what time is check-in?")
    text_by_sms(server, fake_twilio, JOHN, "Is there a gym nearby?")  # nothing in the pack: a gap, a hand-off
    text_by_sms(server, fake_twilio, ANA, "¿hay un gimnasio cerca?")
    text_by_sms(server, fake_twilio, JOHN, "Where is the nearest gym?")
    assert "sol-y-mar-2024" in text_by_sms(server, fake_twilio, EVE, "wifi password?")
    add_user("owner@example.com")
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()

    page.goto(f"{server}/login?next=/admin")
    fill_sign_in(page, "owner@example.com")
    page.wait_for_url(f"{server}/admin")
    page.get_by_role("listitem").filter(has_text="Casa Test").get_by_role("link", name="Dashboard").click()
    page.wait_for_url(f"{server}/admin/p/casa-test/dashboard")

    # Five guest messages, five replies (the staff alerts sent to the host are not guest traffic).
    assert page.inner_text("#m-messages") == "5 in · 5 out"
    assert "40.0 %" in page.inner_text("#m-answered") and "2 of 5 guest messages" in page.inner_text("#m-answered")
    assert "1 of 3 conversations" in page.inner_text("#m-conversations")
    assert "2 opened, 0 claimed" in page.inner_text("#m-handoffs")
    assert page.inner_text("#t-channels tbody") == "SMS\t5\t5"
    assert page.inner_text("#t-reasons tbody").split("\t") == ["a question the concierge could not answer", "3"]
    assert page.inner_text("#t-languages tbody").split("\n") == ["English en\t4", "Spanish es\t1"]
    assert page.get_attribute("#chart-daily", "role") == "img"
    assert "5 in, 5 out" in (page.text_content("#chart-daily-desc") or "")
    gap = page.locator("article.gap").first
    assert gap.locator("h3").inner_text() == "“Where is the nearest gym?”"
    assert gap.locator(".count").inner_text() == "2"
    assert "“Is there a gym nearby?”" in gap.inner_text()
    assert "“¿hay un gimnasio cerca?”" in page.locator("article.gap").nth(1).inner_text()
    assert JOHN not in page.content() and ANA not in page.content()
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)

    gap.get_by_role("link", name="Add an entry").click()
    assert page.get_by_label("Topic").input_value() == "custom:gym"
    assert page.get_by_label("Title").input_value() == "Where is the nearest gym?"
    assert page.locator("#new_language").input_value() == "en"
    page.get_by_label("Content", exact=True).fill("The nearest gym is FitBox, Calle Sol 5, open 7:00 to 22:00.")
    page.get_by_role("button", name="Save in the draft").click()
    page.get_by_role("link", name="Review and publish").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    assert "Published version 2" in page.inner_text("main")

    assert "FitBox" in text_by_sms(server, fake_twilio, EVE, "is there a gym nearby?")
    page.goto(f"{server}/admin/p/casa-test/dashboard")
    assert page.inner_text("#m-messages") == "6 in · 6 out"
    assert "3 of 6 guest messages" in page.inner_text("#m-answered")
    context.close()
