"""The improvement loop walked in real headless Chromium, as an owner would, at 1280 and 390 px: a guest's
question gets a wrong reply, the owner marks it in the console, takes the suggested fix (the guest's word as a
keyword of the entry, in a draft), checks the marked cases on the draft, publishes, and the guest's next
question is answered. Screenshots (loop-*.png) for the README; the wall-clock time of the walk is printed.

Debian's chromium only; without it these tests skip with the reason, except under CI=true.
"""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from concierge.conversation.models import Author, Message
from concierge.core.db import session_scope
from knowledge.models import Property
from tests.e2e.server import running_server
from tests.factories import ANA, add_user, fill_sign_in, guest_writes, sent_to, server_env
from tests.fakes.twilio_api import FakeTwilio

CONTRAST = (Path(__file__).parent / "contrast.js").read_text(encoding="utf-8")
# The same guest, two questions the published knowledge cannot place (the parking entry says nothing of them).
QUESTIONS = {
    1280: ("¿hay sitio para mi autocaravana?", "autocaravana"),
    390: ("¿hay sitio para mi motocicleta?", "motocicleta"),
}


@pytest.fixture(scope="module")
def server(fake_twilio: FakeTwilio, database_url: str) -> Iterator[str]:
    env = server_env(database_url, fake_twilio.base_url, SESSION_SECRET="loop-browser-secret")
    with running_server(env, timeout=90) as base:
        yield base


def ask(server: str, fake: FakeTwilio, body: str) -> tuple[str, Message]:
    """Ana writes by SMS; the reply the fake Twilio received and the bot message it came from."""
    fake.reset()
    guest_writes(server, body)
    [sent, *_parts] = sent_to(fake, ANA)  # staff may be told too (a question nobody answered)
    with session_scope(readonly=True) as s:
        reply = s.exec(
            select(Message).where(Message.author == Author.bot).order_by(col(Message.id).desc()).limit(1)
        ).one()
    return str(sent["body"]), reply


def shot(page: Any, shots: Path, name: str, width: int) -> None:
    """No sideways scrolling, WCAG AA contrast, and the README's screenshot."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, f"{name} scrolls sideways at {width} px ({scroll} px)"
    assert page.evaluate(CONTRAST) == [], f"{name} at {width} px has text below WCAG AA contrast"
    page.screenshot(path=str(shots / f"loop-{name}-{width}.png"), full_page=True)


def test_mark_fix_check_publish_in_the_browser(
    browser: Any, server: str, fake_twilio: FakeTwilio, prop: Property, shots: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_user("owner@example.com")
    shots.mkdir(parents=True, exist_ok=True)
    version = 1
    for width, (question, word) in QUESTIONS.items():
        before, reply = ask(server, fake_twilio, question)
        assert "Plaza 14" not in before  # the wrong reply: parking is not recognised

        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(f"{server}/console/conversations/{reply.conversation_id}")
        fill_sign_in(page, "owner@example.com")
        page.wait_for_selector(f"#reply-{reply.id}")
        started = time.perf_counter()

        mark = page.locator(f"#reply-{reply.id}")
        mark.locator("summary").click()
        mark.get_by_label("This reply was").select_option("should-answer")
        mark.get_by_label("The entry it should have used").select_option("parking")
        shot(page, shots, "mark", width)
        mark.get_by_role("button", name="Save the mark").click()
        page.locator(f"#reply-{reply.id} .fix-link").scroll_into_view_if_needed()
        shot(page, shots, "marked", width)

        page.locator(f"#reply-{reply.id}").get_by_role("link", name="Suggest a fix").click()
        assert page.locator("#fix-words").input_value() == word  # suggested
        shot(page, shots, "fix", width)
        page.get_by_role("button", name="Add to the draft").click()

        page.get_by_role("button", name="Check the marked cases on this draft").click()
        row = page.locator("#case-results tbody tr").last
        now, with_draft = row.locator("td").nth(1).inner_text(), row.locator("td").nth(2).inner_text()
        assert "fails" in now and "passes" in with_draft, (now, with_draft)
        shot(page, shots, "check", width)
        page.get_by_role("button", name="Publish", exact=True).click()
        version += 1
        assert f"Published version {version}" in page.inner_text("main")
        elapsed = time.perf_counter() - started
        shot(page, shots, "published", width)
        context.close()

        after, _reply = ask(server, fake_twilio, question)
        assert "Plaza 14" in after, after  # the next guest with the same words is answered
        with capsys.disabled():
            print(f"\nmark → published fix at {width} px: {elapsed:.1f} s (automated clicks)")
