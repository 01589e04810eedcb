"""The trace page in real headless Chromium: a turn whose primary model failed, opened from the transcript.

The server runs as a real process with its in-process worker, the fake Twilio and the fake model provider
(OpenAI-style 500s, then an Anthropic-style answer) on loopback. UPDATE_SCREENSHOTS=1 refreshes
docs/screenshots/trace.png.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from concierge.conversation.models import Conversation
from concierge.core.db import session_scope
from knowledge.models import Property
from tests.e2e.server import running_server
from tests.factories import GOOD_WIFI, JOHN, add_user, fill_sign_in, sent_to, server_env, sign, webhook_form
from tests.fakes.openai_api import FakeModelAPI
from tests.fakes.twilio_api import FakeTwilio

GUEST = JOHN


@pytest.fixture(scope="module")
def fake_model() -> Iterator[FakeModelAPI]:
    with FakeModelAPI() as api:
        yield api


@pytest.fixture(scope="module")
def server(fake_twilio: FakeTwilio, fake_model: FakeModelAPI, database_url: str) -> Iterator[str]:
    env = server_env(
        database_url,
        fake_twilio.base_url,
        SESSION_SECRET="trace-browser-secret",
        LLM_PROVIDERS="openai:gpt-4o-mini,anthropic:claude-haiku-4-5",
        OPENAI_BASE_URL=fake_model.openai_base_url,
        OPENAI_API_KEY="test-key",
        ANTHROPIC_BASE_URL=fake_model.anthropic_base_url,
        ANTHROPIC_API_KEY="test-key",
        LLM_OFFLINE_FIRST="false",
        LLM_RETRY_BASE_SECONDS="0.01",
    )
    with running_server(env, timeout=60) as base:
        yield base


def test_trace_page_opens_from_the_transcript(
    browser: Any, server: str, fake_twilio: FakeTwilio, fake_model: FakeModelAPI, prop: Property, shots: Path
) -> None:
    fake_twilio.reset()
    fake_model.reset()
    fake_model.fail(500, times=3)  # the primary: first try and both retries
    fake_model.answer(GOOD_WIFI)  # the second provider
    params = webhook_form("what is the wifi password?", sender=GUEST)
    url = f"{server}/twilio/messages"
    assert httpx.post(url, data=params, headers={"X-Twilio-Signature": sign(url, params)}, timeout=10).is_success
    [reply] = sent_to(fake_twilio, GUEST)
    assert reply["body"] == GOOD_WIFI

    add_user("admin@example.com", role="admin", properties=())
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{server}/login?next=/console")
    fill_sign_in(page, "admin@example.com")
    page.wait_for_selector("h1:has-text('Escalations')")
    with session_scope() as s:
        conversation = s.exec(select(Conversation).where(Conversation.guest_address == GUEST)).one()
    page.goto(f"{server}/console/conversations/{conversation.id}")
    with page.expect_navigation():
        page.click("#transcript li.bot a.trace")
    page.wait_for_selector("#timeline")
    rows = page.locator("#timeline tbody tr")
    assert rows.count() == 7 + 4  # seven nodes, four model calls
    assert page.locator("#timeline tr.call.failed").count() == 3
    bar = page.locator("#timeline tr.call rect.err").first.bounding_box()
    respond = page.locator("#timeline tr.node:has-text('respond') rect.node").bounding_box()
    assert bar is not None and respond is not None
    assert respond["x"] <= bar["x"] + 1 and bar["x"] + bar["width"] <= respond["x"] + respond["width"] + 1
    calls = page.locator("#calls").inner_text()
    assert "server_error 500" in calls and "claude-haiku-4-5" in calls and "grounded_reply@" in calls
    assert "wifi" in page.locator("#candidates").inner_text()
    assert page.locator("#reply").inner_text().startswith(GOOD_WIFI)
    page.screenshot(path=str(shots / "trace.png"), full_page=True)
    page.close()
