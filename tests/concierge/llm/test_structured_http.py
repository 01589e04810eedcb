"""Prompt v2's structured answers through the real client stack over HTTP, on a real database: a provider without
structured output answers JSON in its text, an answer that does not validate is a failed call, and a knowledge
base over LLM_CONTEXT_TOKENS gives the model the best-ranked entries in full and the titles of the rest."""

import json
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from langchain_openai import ChatOpenAI

from concierge.core.settings import get_settings
from concierge.llm.router import Router, RouterConfig
from concierge.turn.runner import TurnRunner
from knowledge.models import Property
from tests import factories
from tests.factories import JOHN
from tests.fakes.openai_api import FakeModelAPI, system_text, use_both_providers

WIFI_EN = "Network CasaTest-5G, password sol-y-mar-2024."


@pytest.fixture(autouse=True)
def model_env(fake: FakeModelAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    fake.reset()
    use_both_providers(
        fake,
        monkeypatch,
        LLM_PROVIDERS="openai:gpt-4o-mini,anthropic:claude-haiku-4-5",
        LLM_RETRY_BASE_SECONDS="0.01",
    )
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


ask = partial(factories.ask, phone=JOHN, author="bot")


class WithoutStructuredOutput(ChatOpenAI):
    """An OpenAI-compatible server that implements neither JSON schemas nor tools (the real client stack)."""

    def with_structured_output(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("no structured output on this server")


def test_a_provider_without_structured_output_answers_json_in_its_text_over_http(
    prop: Property, fake: FakeModelAPI
) -> None:
    model = WithoutStructuredOutput(
        model="plain", api_key="unused", base_url=fake.openai_base_url, max_retries=0, use_responses_api=False
    )
    runner = TurnRunner(get_settings())
    runner.router = Router(
        ["compatible:plain"], models={"compatible:plain": model}, config=RouterConfig(offline_first=False)
    )
    answer = {"reply": WIFI_EN, "topics": ["wifi"], "intent": "answer", "reason": "", "language": "en"}
    fake.answer(f"Here you are:\n```json\n{json.dumps(answer)}\n```")
    result = ask(prop, "what is the wifi password?", runner=runner)
    assert result["reply"] == WIFI_EN and result["entry_ids"] == ["wifi"]
    assert result["llm"]["route"] == "model" and result["llm"]["intent"] == "answer"
    [body] = fake.requests
    assert "response_format" not in body and "tools" not in body  # plain text was asked for …
    assert "JSON schema" in system_text(body)  # … with the answer's schema in the prompt


def test_a_structured_answer_that_does_not_validate_is_a_failed_call_then_the_next_provider_then_offline(
    prop: Property, fake: FakeModelAPI
) -> None:
    fake.answer("The password is hunter2.", intent="maybe", times=2)  # an intent outside the schema, twice
    result = ask(prop, "what is the wifi password?")
    assert result["outcomes"] == ["malformed", "malformed"]  # OpenAI, then Anthropic: no retry of a bad answer
    assert [r["_path"] for r in fake.requests] == ["/v1/chat/completions", "/v1/messages"]
    assert result["llm"]["route"] == "fallback"
    assert result["reply"] == WIFI_EN and "hunter2" not in result["reply"]  # the offline answer


def test_a_knowledge_base_over_the_token_budget_sends_the_best_entry_in_full_and_the_titles_of_the_rest(
    fake: FakeModelAPI, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("LLM_CONTEXT_TOKENS", "400")
    get_settings.cache_clear()
    data = factories.pack_data()
    long = [
        {"topic": f"custom:guide-{i}", "title": f"House guide part {i}", "content": {"en": f"Guide {i}. " + "x " * 300}}
        for i in range(8)
    ]
    prop = factories.make_property(knowledge=[*data["knowledge"], *long])
    fake.answer(WIFI_EN)
    result = ask(prop, "what is the wifi password?")
    assert result["reply"] == WIFI_EN
    [body] = fake.requests
    prompt = system_text(body)
    assert WIFI_EN in prompt  # retrieval's hint, in full
    assert "House guide part 7" in prompt and "Guide 7. x x" not in prompt  # the rest by title only
