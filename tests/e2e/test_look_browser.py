"""How the pages look to hosts and staff, in real headless Chromium at desktop (1280 px) and phone (390 px) width:
nothing scrolls sideways, every text passes WCAG AA contrast (tests/e2e/contrast.js, computed in the browser),
one header with the sections each role may use, a favicon, and the README's screenshots.

Debian's chromium only; without it these tests skip with the reason, except under CI=true.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from knowledge import editing
from knowledge.models import Property
from tests.e2e.server import running_server
from tests.factories import ANA, add_user, fill_sign_in, guest_writes, server_env
from tests.fakes.twilio_api import FakeTwilio

CONTRAST = (Path(__file__).parent / "contrast.js").read_text(encoding="utf-8")
WIDTHS = (1280, 390)
# The elements that reach past the viewport's right edge, to say what overflows.
WIDER = """(width) => [...document.querySelectorAll('body *')]
  .filter((el) => el.getBoundingClientRect().right > width + 1)
  .slice(0, 8)
  .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`)"""


@pytest.fixture(scope="module")
def server(fake_twilio: FakeTwilio, database_url: str) -> Iterator[str]:
    env = server_env(database_url, fake_twilio.base_url, SESSION_SECRET="look-browser-secret", SIMULATOR_ENABLED="true")
    with running_server(env, timeout=90) as base:
        yield base


def _check(page: Any, name: str, width: int, shots: Path) -> None:
    """No sideways scrolling, AA contrast, and a screenshot for the README."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(WIDER, width) if scroll > width + 1 else []
    assert scroll <= width + 1, f"{name} scrolls sideways at {width} px ({scroll} px wide): {wide}"
    assert page.evaluate(CONTRAST) == [], f"{name} at {width} px has text below WCAG AA contrast"
    page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)


def test_pages_fit_a_phone_and_a_desktop_with_readable_contrast(
    browser: Any, server: str, prop: Property, shots: Path
) -> None:
    add_user("owner@example.com", role="owner", properties=("casa-test",))
    add_user("marta@example.com", role="staff", properties=("casa-test",))
    from concierge.core.db import session_scope

    with session_scope() as s:  # a history with an edit in it
        assert prop.id is not None
        entry = {"topic": "check_in", "title": "Check-in", "content": {"es": "Desde las 16:00.", "en": "From 16:00."}}
        editing.save_entry(s, property_id=prop.id, entry=entry, replaces="check_in", author="owner@example.com")
    guest_writes(server, "I want to talk to a person please", phone=ANA)

    for width in WIDTHS:
        owner = browser.new_context(viewport={"width": width, "height": 900})
        page = owner.new_page()
        page.goto(f"{server}/admin")
        fill_sign_in(page, "owner@example.com")
        page.wait_for_selector("h1")
        page.goto(f"{server}/simulator?property=casa-test&phone=%2B34611111111")
        for question, answer in (("wiifi pasword", "CasaTest-5G"), ("¿cuál es el código de la puerta?", "4821")):
            page.fill("#body", question)
            page.get_by_role("button", name="Send").click()
            page.wait_for_selector(f"#transcript li.bot:has-text('{answer}')", timeout=30000)
        _check(page, "simulator", width, shots)
        for name, path in (("editor", "/admin/p/casa-test"), ("history", "/admin/p/casa-test/history")):
            page.goto(f"{server}{path}")
            _check(page, name, width, shots)
        page.goto(f"{server}/admin/p/casa-test/entries/check_in")  # one language edited, the other left behind
        page.get_by_label("Content in Spanish").fill("Desde las 17:00.")
        page.get_by_role("button", name="Save in the draft").click()
        assert "English still says 16:00" in page.inner_text("#stale-languages")
        _check(page, "entry-warning", width, shots)
        page.get_by_role("button", name="Save anyway").click()
        page.get_by_role("link", name="Review and publish").click()  # warned again before anything goes live
        assert "Check-in: English still says 16:00" in page.inner_text("#stale-languages")
        _check(page, "draft", width, shots)
        page.get_by_role("button", name="Discard draft").click()
        owner.close()

        staff = browser.new_context(viewport={"width": width, "height": 900})
        page = staff.new_page()
        page.goto(f"{server}/console")
        fill_sign_in(page, "marta@example.com")
        row = page.wait_for_selector("tr[data-escalation]", timeout=30000)
        text = row.inner_text()
        assert "Ana López" in text and "SMS" in text and "English" in text, text  # guest, channel, language
        assert "Waiting for a team member" in text
        _check(page, "queue", width, shots)
        page.get_by_role("link", name="Open").first.click()
        page.wait_for_selector("#owner")
        _check(page, "conversation", width, shots)
        staff.close()


def test_one_header_with_the_sections_of_the_role_and_a_favicon(browser: Any, server: str, prop: Property) -> None:
    add_user("marta@example.com", role="staff", properties=("casa-test",))
    add_user("owner@example.com", role="owner", properties=("casa-test",))
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(f"{server}/console")
    fill_sign_in(page, "marta@example.com")
    page.wait_for_selector("h1")
    header = page.locator("header nav")
    assert header.get_by_role("link").all_inner_texts() == ["Console", "Account"]
    assert header.get_by_role("link", name="Console").get_attribute("aria-current") == "page"
    page.goto(f"{server}/admin")  # not for staff: the way back leads to the queue, not to the refusing page
    assert page.get_by_role("link", name="Back to the queue").get_attribute("href") == "/console"
    page.context.clear_cookies()

    page.goto("about:blank")  # outside the site's CSP, which refuses the sample's inline styles
    page.set_content('<p style="color:#999;background:#fff">faint</p><p style="color:#000">clear</p>')
    assert [f.split(" ", 1)[1] for f in page.evaluate(CONTRAST)] == ['p. "faint"']  # the check can fail

    page.goto(f"{server}/admin")
    fill_sign_in(page, "owner@example.com")
    page.wait_for_selector("h1")
    assert page.locator("header nav").get_by_role("link").all_inner_texts() == ["Knowledge", "Console", "Account"]
    assert page.locator("link[rel=icon]").get_attribute("href") == "/static/favicon.svg"
    icon = httpx.get(f"{server}/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
