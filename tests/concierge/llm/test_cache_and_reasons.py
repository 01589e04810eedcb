"""Prompt-cache hits read from each provider's own usage field and priced, and a model's `needs_person` reason
reaching the staff card in words, against the scriptable fake provider over real HTTP on a real database."""

from collections.abc import Iterator
from datetime import date
from functools import partial

import pytest
from sqlmodel import select

from concierge.core.db import session_scope
from concierge.core.settings import get_settings
from concierge.llm.cost import load_prices
from concierge.llm.models import ModelCall
from escalation import handoff, notify
from escalation.models import Escalation
from knowledge.models import Property
from tests import factories
from tests.factories import GOOD_WIFI, JOHN
from tests.fakes.openai_api import FakeModelAPI, use_both_providers

CACHED = 2048


@pytest.fixture(autouse=True)
def model_env(fake: FakeModelAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    fake.reset()
    use_both_providers(
        fake,
        monkeypatch,
        GOOGLE_BASE_URL=fake.gemini_base_url,
        GOOGLE_API_KEY="test-key",
        LLM_RETRY_BASE_SECONDS="0.01",
    )
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


ask = partial(factories.ask, phone=JOHN, author="bot")


@pytest.mark.parametrize(
    ("provider", "model"),
    [("openai", "gpt-4o-mini"), ("anthropic", "claude-haiku-4-5"), ("gemini", "gemini-2.5-flash")],
)
def test_cached_input_tokens_are_read_from_each_providers_usage_and_priced(
    prop: Property, fake: FakeModelAPI, monkeypatch: pytest.MonkeyPatch, provider: str, model: str
) -> None:
    # Text answers (prompt version 1): the fake's Gemini side speaks text only.
    monkeypatch.setenv("LLM_PROVIDERS", f"{provider}:{model}")
    monkeypatch.setenv("LLM_PROMPT_VERSION", "1")
    get_settings.cache_clear()
    fake.answer(GOOD_WIFI, cached=CACHED)  # prompt_tokens_details / cache_read_input_tokens / cachedContentTokenCount
    result = ask(prop, "what is the wifi password?")
    assert result["reply"] == GOOD_WIFI
    [call] = result["llm"]["calls"]
    assert call["cached_tokens"] == CACHED and call["input_tokens"] > CACHED  # the cached ones are part of the input
    prices = load_prices()
    listed, _ = prices.cost(provider, model, input_tokens=call["input_tokens"], output_tokens=call["output_tokens"])
    cheaper, _ = prices.cost(
        provider, model, input_tokens=call["input_tokens"], output_tokens=call["output_tokens"], cached_tokens=CACHED
    )
    assert cheaper < listed
    # The stored model call (what budgets sum) is priced with the cache hits at the cached price.
    [(outcome, tokens_in, _tokens_out, cost)] = result["calls"]
    assert outcome == "ok" and tokens_in == call["input_tokens"] and cost == pytest.approx(cheaper)
    with session_scope() as session:
        assert session.exec(select(ModelCall.cached_tokens)).all() == [CACHED]  # the cached share is queryable


def test_every_price_lists_its_cached_input_price() -> None:
    for key, price in load_prices().prices.items():
        assert price.cached_input is not None and price.cached_input <= price.input, key


def card_reason(prop: Property) -> tuple[str, str]:
    """The open escalation's reason and the words the staff card shows for it (in English and in Spanish)."""
    with session_scope() as session:
        escalation = session.exec(select(Escalation).where(Escalation.property_id == prop.id)).one()
        card = handoff.build_card(session, escalation=escalation, today=date.today())
        return card.reason, notify.reason_label(card.reason, "en") + " / " + notify.reason_label(card.reason, "es")


@pytest.mark.parametrize(
    ("reason", "code", "words"),
    [
        ("The guest asks for a discount for a two-week stay", "policy:discount", "the guest asks for a discount"),
        ("el huésped pide un reembolso", "policy:refund", "the guest asks for a refund"),
        ("guest wants to pay the cleaning fee in cash", "needs_person", "the concierge asked for a person"),
    ],
)
def test_a_models_needs_person_reason_reaches_the_staff_card_in_words(
    prop: Property, fake: FakeModelAPI, monkeypatch: pytest.MonkeyPatch, reason: str, code: str, words: str
) -> None:
    monkeypatch.setenv("LLM_PROVIDERS", "openai:gpt-4o-mini")
    get_settings.cache_clear()
    reply = "Thanks for asking. A member of our team will follow up with you shortly."
    fake.answer(reply, intent="needs_person", reason=reason)
    result = ask(prop, "we'd like to settle the stay our own way, is that possible?")
    assert result["reply"].startswith(reply)
    assert result["llm"]["intent"] == "needs_person"
    assert result["escalations"] == [code]
    shown, label = card_reason(prop)
    assert shown == code and words in label and "needs a person" not in label  # never the generic label
    assert " / " in label and label.split(" / ")[1] != label.split(" / ")[0]  # translated for Spanish staff
