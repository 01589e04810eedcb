"""Translation lines in the console transcript, through a real-socket fake OpenAI server; and the staff language."""

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from concierge.app import create_app
from concierge.core.db import session_scope
from concierge.core.settings import get_settings
from concierge.users.models import User
from escalation.models import MessageTranslation
from knowledge.models import Property
from tests.factories import add_user, guest_asks_for_person, sign_in
from tests.fakes.openai_api import FakeModelAPI, last_user_text, system_text

SPANISH = "quiero hablar con una persona, por favor"


def translated(body: dict[str, Any]) -> str:
    return "EN: " + last_user_text(body).removeprefix("Message:\n")


def translation_calls(fake: FakeModelAPI) -> int:
    return sum(1 for r in fake.requests if "You translate one message" in system_text(r))


@pytest.fixture
def model() -> Iterator[FakeModelAPI]:
    with FakeModelAPI(default=translated) as fake:
        yield fake


def console(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> TestClient:
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return TestClient(create_app())


def with_model(fake: FakeModelAPI, **extra: str) -> dict[str, str]:
    return {"LLM_PROVIDERS": "openai:gpt-test", "OPENAI_BASE_URL": fake.openai_base_url, **extra}


def lines(html: str) -> list[str]:
    return re.findall(r'<span class="translation"[^>]*>(.*?)</span>\s*</li>', html, flags=re.S)


def test_translation_line_appears_and_is_cached(
    monkeypatch: pytest.MonkeyPatch, prop: Property, model: FakeModelAPI
) -> None:
    conversation_id = guest_asks_for_person(prop, body=SPANISH)  # offline turn: the model is not involved yet
    add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    with console(monkeypatch, with_model(model)) as client:
        sign_in(client, "staff-a@example.com", next="/console")
        first = client.get(f"/console/conversations/{conversation_id}")
        assert first.status_code == 200
        assert f"EN: {SPANISH}" in first.text
        calls = translation_calls(model)
        assert calls == 2  # the guest's message and the Spanish answer they got
        second = client.get(f"/console/conversations/{conversation_id}")
        assert f"EN: {SPANISH}" in second.text
        assert translation_calls(model) == calls  # from the cache: no second call for the same message
    with session_scope() as s:
        rows = s.exec(select(MessageTranslation)).all()
        assert {r.language for r in rows} == {"en"} and {r.prompt for r in rows} == {"translate_message@1"}
        assert {r.provider for r in rows} == {"openai:gpt-test"}


def test_provider_down_still_renders_with_a_hint(
    monkeypatch: pytest.MonkeyPatch, prop: Property, model: FakeModelAPI
) -> None:
    conversation_id = guest_asks_for_person(prop, body=SPANISH)
    add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    model.fail(500, times=50)
    with console(monkeypatch, with_model(model)) as client:
        sign_in(client, "staff-a@example.com", next="/console")
        page = client.get(f"/console/conversations/{conversation_id}")
    assert page.status_code == 200 and SPANISH in page.text
    assert "Translation unavailable" in page.text and "EN: " not in page.text
    with session_scope() as s:
        assert s.exec(select(MessageTranslation)).all() == []  # a failure is not cached: the next view retries


def test_a_hanging_provider_does_not_hold_the_page(
    monkeypatch: pytest.MonkeyPatch, prop: Property, model: FakeModelAPI
) -> None:
    conversation_id = guest_asks_for_person(prop, body=SPANISH)
    add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    model.hang(10, times=50)
    with console(monkeypatch, with_model(model, CONSOLE_TRANSLATE_TIMEOUT_SECONDS="0.5")) as client:
        sign_in(client, "staff-a@example.com", next="/console")
        started = time.monotonic()
        page = client.get(f"/console/conversations/{conversation_id}")
        elapsed = time.monotonic() - started
    assert page.status_code == 200 and "Translation unavailable" in page.text
    assert elapsed < 5  # bounded by the translation deadline, not by the 10 s the provider takes


def test_offline_only_shows_no_line_and_no_hint(monkeypatch: pytest.MonkeyPatch, prop: Property) -> None:
    conversation_id = guest_asks_for_person(prop, body=SPANISH)
    add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    with console(monkeypatch, {"LLM_PROVIDERS": "offline"}) as client:
        sign_in(client, "staff-a@example.com", next="/console")
        page = client.get(f"/console/conversations/{conversation_id}").text
    assert SPANISH in page and lines(page) == [] and "Translation unavailable" not in page


def test_same_language_as_the_staff_member_has_no_line(
    monkeypatch: pytest.MonkeyPatch, prop: Property, model: FakeModelAPI
) -> None:
    conversation_id = guest_asks_for_person(prop, body=SPANISH)
    add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    with session_scope() as s:
        s.exec(select(User)).one().language = "es"
    with console(monkeypatch, with_model(model)) as client:
        sign_in(client, "staff-a@example.com", next="/console")
        page = client.get(f"/console/conversations/{conversation_id}").text
    assert lines(page) == [] and translation_calls(model) == 0
    assert "Traspasar" in page or "Reclamar" in page  # and the console itself is in Spanish


def test_account_page_changes_the_language_and_the_translation_target(
    monkeypatch: pytest.MonkeyPatch, prop: Property, model: FakeModelAPI
) -> None:
    conversation_id = guest_asks_for_person(prop, body=SPANISH)
    add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    with console(monkeypatch, with_model(model)) as client:
        token = sign_in(client, "staff-a@example.com", next="/console")
        assert client.post("/console/account", data={"csrf_token": token, "language": "xx"}).status_code == 422
        saved = client.post("/console/account", data={"csrf_token": token, "language": "de"})
        assert saved.status_code == 200 and 'lang="de"' in saved.text
        page = client.get(f"/console/conversations/{conversation_id}").text
    assert "Übersetzung:" in page
    with session_scope() as s:
        assert {r.language for r in s.exec(select(MessageTranslation))} == {"de"}
        assert s.exec(select(User)).one().language == "de"
