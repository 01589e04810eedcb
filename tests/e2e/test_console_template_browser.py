"""The console in headless Chromium with a model provider (fake OpenAI) and a fake Twilio: translation lines,
the WhatsApp 24-hour window, the approved template reaching the guest's WhatsApp, and a 63016 failure shown.
"""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from concierge.conversation.models import Conversation, Message
from concierge.core.db import session_scope
from tests.e2e.server import running_server
from tests.factories import (
    ACCOUNT_SID,
    ANA,
    add_user,
    console_sign_in,
    guest_writes,
    make_property,
    sent_to,
    server_env,
    sign,
)
from tests.fakes.openai_api import FakeModelAPI, last_user_text, system_text
from tests.fakes.twilio_api import FakeTwilio

TEMPLATE = {
    "content_sid": "HX" + "0123456789abcdef" * 2,
    "variables": {"1": "{guest_name}", "2": "{property_name}"},
    "preview": "Hola {{1}}, te escribimos de {{2}}. Responde a este mensaje para seguir la conversación.",
}
SPANISH = "quiero hablar con una persona, por favor"
GUEST = ANA


def model_answer(body: dict[str, Any]) -> str:
    """Translations for the console; the guest's turns get no model answer (the offline reply is used)."""
    if "You translate one message" in system_text(body):
        return "[EN] " + last_user_text(body).removeprefix("Message:\n")
    return "NO_ANSWER"


@pytest.fixture(scope="module")
def model() -> Iterator[FakeModelAPI]:
    with FakeModelAPI(default=model_answer) as fake:
        yield fake


@pytest.fixture(scope="module")
def server(fake_twilio: FakeTwilio, model: FakeModelAPI, database_url: str) -> Iterator[str]:
    env = server_env(
        database_url,
        fake_twilio.base_url,
        SESSION_SECRET="console-template-secret",
        LLM_PROVIDERS="openai:gpt-test",
        OPENAI_BASE_URL=model.openai_base_url,
        # A loaded test machine may be slow to answer the first call; the deadline itself is tested in
        # tests/escalation/console.
        CONSOLE_TRANSLATE_TIMEOUT_SECONDS="20",
    )
    with running_server(env, timeout=60) as base:
        yield base


def status_callback(server: str, url: str, sid: str, *, error_code: str) -> None:
    params = {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "MessageStatus": "undelivered", "ErrorCode": error_code}
    response = httpx.post(url, data=params, headers={"X-Twilio-Signature": sign(url, params)}, timeout=10)
    assert response.status_code in (200, 204), response.text


def test_translation_line_then_template_after_the_window_then_a_failure_is_visible(
    browser: Any, server: str, fake_twilio: FakeTwilio, model: FakeModelAPI, database_url: str, shots: Path
) -> None:
    fake_twilio.reset()
    make_property(whatsapp_template=TEMPLATE)
    add_user("marta@example.com", role="staff", properties=("casa-test",))  # console language: English
    guest = "whatsapp:" + GUEST
    guest_writes(server, SPANISH, channel="whatsapp")
    sent_to(fake_twilio, guest)  # the guest was told a person will reply
    page = browser.new_page(viewport={"width": 1100, "height": 1000})
    console_sign_in(page, server, "marta@example.com")
    page.wait_for_selector("tr[data-escalation]", timeout=15000)
    page.click("tr[data-escalation] a")

    # The Spanish transcript carries English translation lines from the model.
    line = page.wait_for_selector("#transcript li.guest .translation")
    assert line.inner_text().strip() == f"Translation: [EN] {SPANISH}"
    page.screenshot(path=str(shots / "console-translation.png"), full_page=True)

    # A day later the WhatsApp window has closed: no free text, but the approved template is offered.
    with session_scope() as s:
        conversation = s.exec(select(Conversation).where(Conversation.guest_address == guest)).one()
        for message in s.exec(select(Message).where(Message.conversation_id == conversation.id)):
            message.created_at -= timedelta(hours=25)
    page.reload()
    assert page.locator("#window-closed").is_visible() and page.locator("#reply-form").count() == 0
    preview = page.inner_text("#template-preview")
    assert preview == "Hola Ana, te escribimos de Casa Test. Responde a este mensaje para seguir la conversación."
    page.screenshot(path=str(shots / "console-template-offer.png"), full_page=True)
    with page.expect_navigation():
        page.click("#send-template")

    # The template reaches the fake Twilio on the guest's WhatsApp, as a Content API send.
    template = sent_to(fake_twilio, guest, count=2)[1]
    assert template["from_"] == "whatsapp:+15005550006"
    assert template["content_sid"] == TEMPLATE["content_sid"]
    assert json.loads(template["content_variables"]) == {"1": "Ana", "2": "Casa Test"}
    page.wait_for_selector("#transcript li.staff")

    # Twilio reports 63016 for it: the console shows the failure on the conversation.
    status_callback(server, template["status_callback"], template["sid"], error_code="63016")
    page.reload()
    problems = page.inner_text("#delivery-problems")
    assert "Twilio error 63016" in problems and "24-hour window was closed" in problems
    assert page.locator("#transcript li.undelivered .delivery").count() == 1
    page.close()
