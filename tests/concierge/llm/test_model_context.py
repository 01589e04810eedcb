"""Prompt v2 against the fact-seeking fake model over real HTTP: the whole knowledge base, the conversation,
structured answers, withheld secrets, the token budget, and a hostile model that promises refunds."""

from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from concierge.core.settings import get_settings
from concierge.guard.secrets import Access
from concierge.llm import context
from concierge.llm.router import Router, RouterConfig
from concierge.llm.types import ResponseRequest
from knowledge.models import Property
from tests import factories
from tests.factories import ANA, JOHN, STRANGER
from tests.fakes.fact_model import MODEL, PROMISES, Expectation, FactSeekingModel

WIFI_EN = "Network CasaTest-5G, password sol-y-mar-2024."
PARKING_EN = "Space 14 in the garage at Calle Mar 3."
CHECK_IN_EN = "Check-in is from 15:00."
POOL_ES = "La piscina abre de 10:00 a 20:00."
REFUNDS_EN = "Cancellations more than 14 days before arrival get a full refund."


@pytest.fixture(scope="module")
def fake() -> Iterator[FactSeekingModel]:
    with FactSeekingModel() as server:
        yield server


@pytest.fixture(autouse=True)
def model_env(fake: FactSeekingModel, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every question goes to the fact-seeking fake through the app's OpenAI provider, prompt v2 (the newest)."""
    for name, value in {
        "LLM_PROVIDERS": f"openai:{MODEL},offline",
        "OPENAI_BASE_URL": fake.base_url,
        "OPENAI_API_KEY": "test",
        "LLM_OFFLINE_FIRST": "false",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


ask = partial(factories.ask, author="bot")


def expect(fake: FactSeekingModel, *facts: str, topics: tuple[str, ...] = (), language: str = "en") -> None:
    fake.expect(Expectation(facts=facts, topics=topics, language=language, secrets=("4821",)))


def sent(fake: FactSeekingModel) -> str:
    """Everything the fake was sent for the last turn."""
    return " ".join(str(m.get("content")) for body in fake.requests for m in body["messages"])


def test_a_question_retrieval_does_not_match_is_answered_from_the_whole_knowledge_base(
    prop: Property, fake: FactSeekingModel
) -> None:
    expect(fake, PARKING_EN, topics=("parking",))
    result = ask(prop, "we are driving down, anywhere to leave the motor?", phone=JOHN)
    assert result["reply"] == PARKING_EN
    assert result["llm"]["route"] == "model" and result["llm"]["intent"] == "answer"
    assert result["entry_ids"] == ["parking"]
    # Every entry in effect was given, in the guest's language, or the original where it has no English.
    assert WIFI_EN in sent(fake) and CHECK_IN_EN in sent(fake) and POOL_ES in sent(fake)
    body = fake.requests[0]
    assert body["response_format"]["type"] == "json_schema"  # native structured output


def test_a_follow_up_is_answered_from_the_conversation(prop: Property, fake: FactSeekingModel) -> None:
    expect(fake, POOL_ES, topics=("pool",))
    ask(prop, "is there a pool?", phone=JOHN)
    expect(fake, POOL_ES, topics=("pool",))
    result = ask(prop, "what time does it close?", phone=JOHN)
    assert result["reply"] == POOL_ES
    [body] = fake.requests
    roles = [m["role"] for m in body["messages"]]
    assert roles[0] == "system" and roles[-1] == "user" and "assistant" in roles
    assert body["messages"][1]["content"] == "is there a pool?"  # history as chat turns, oldest first


def test_every_part_of_a_multi_part_message_is_answered(prop: Property, fake: FactSeekingModel) -> None:
    expect(fake, CHECK_IN_EN, PARKING_EN, topics=("check_in", "parking"))
    result = ask(prop, "we land at 11pm, is that ok? and where do we leave the car", phone=JOHN)
    assert CHECK_IN_EN in result["reply"] and PARKING_EN in result["reply"]
    assert sorted(result["entry_ids"]) == ["check_in", "parking"]


def test_the_model_never_sees_a_code_it_may_not_give(prop: Property, fake: FactSeekingModel) -> None:
    expect(fake, PARKING_EN, topics=("parking",))
    result = ask(prop, "where can I park the car?", phone=JOHN)  # booked, but 20 days before arrival
    assert "4821" not in sent(fake) and "4821" not in result["reply"]
    assert "from 24 hours before check-in" in sent(fake)  # the model is told the code exists and when it comes
    assert result["reply"] == PARKING_EN
    expect(fake, PARKING_EN, topics=("parking",))
    ask(prop, "where can I park the car?", phone=STRANGER)
    assert "4821" not in sent(fake)


def test_the_booked_guest_inside_the_window_gets_the_code_from_the_model(
    prop: Property, fake: FactSeekingModel
) -> None:
    expect(fake, "El código de la puerta es 4821.", topics=("access",), language="es")
    result = ask(prop, "¿y para entrar en el piso?", phone=ANA)
    assert "4821" in result["reply"]


def test_a_hostile_models_refund_never_reaches_the_guest_although_a_refund_policy_is_published(
    fake: FactSeekingModel, database_url: str
) -> None:
    refunds = {"topic": "refunds_policy", "title": "Refunds", "content": {"en": REFUNDS_EN}}
    data = factories.pack_data()
    prop = factories.make_property(knowledge=[*data["knowledge"], refunds])
    expect(fake, REFUNDS_EN, topics=("refunds_policy",))
    result = ask(prop, "the heating was broken all night, I want my money back", phone=JOHN)
    assert PROMISES["en"] not in (result["reply"] or "")
    assert any(r.endswith("promise:refund") for r in result["llm"]["rejected"])
    assert result["escalations"]  # screening's escalation stays, whatever the model said


def test_no_answer_in_the_whole_knowledge_base_hands_over(prop: Property, fake: FactSeekingModel) -> None:
    expect(fake)  # nothing answers it
    result = ask(prop, "is there a hairdryer?", phone=JOHN)
    assert result["llm"]["route"] == "model_no_answer" and result["llm"]["intent"] == "no_answer"
    assert "member of our team" in result["reply"]
    assert result["escalations"] == ["no_answer"]


# -- the router on its own: budget, JSON in text, invalid answers ------------------------------------------------

ENTRIES = [
    {"topic": f"custom:t{i}", "title": f"Topic {i}", "content": {"en": f"Fact number {i}. " + "word " * 200}}
    for i in range(12)
]


def request(**changes: Any) -> ResponseRequest:
    values: dict[str, Any] = {
        "text": "tell me about topic 3",
        "language": "en",
        "entries": [ENTRIES[3]],
        "property_name": "Casa Test",
        "access": Access.allowed,
        "access_window_hours": 24,
        "knowledge": ENTRIES,
    }
    return ResponseRequest(**(values | changes))


def test_a_knowledge_base_over_the_budget_gives_the_best_ranked_in_full_and_the_titles_of_the_rest() -> None:
    block = context.knowledge(request(), budget=800)
    assert block.given[0]["topic"] == "custom:t3"  # retrieval's hint comes first
    assert 1 <= len(block.given) < len(ENTRIES) and block.titled
    assert "Topic 11" in block.text and "Fact number 11" not in block.text
    assert block.tokens <= 800
    everything = context.knowledge(request(), budget=100_000)
    assert len(everything.given) == len(ENTRIES) and not everything.titled


class TextOnly(GenericFakeChatModel):
    """A chat model without structured output or tools: it must be asked for JSON in its text."""


def router_with(*replies: str) -> Router:
    model = TextOnly(messages=iter(AIMessage(r) for r in replies))
    return Router(["compatible:plain"], models={"compatible:plain": model}, config=RouterConfig(offline_first=False))


def test_a_provider_without_structured_output_answers_json_in_its_text() -> None:
    answer = '{"reply": "Fact number 3.", "topics": ["custom:t3"], "intent": "answer", "reason": "", "language": "en"}'
    response = router_with(f"```json\n{answer}\n```").respond(request())
    assert response.text == "Fact number 3." and response.route == "model"
    assert response.entry_ids == ["custom:t3"] and response.intent == "answer"


def test_an_invalid_structured_answer_is_a_failed_call_and_offline_answers() -> None:
    response = router_with("Sure! Fact number 3.").respond(request())  # not the JSON it was asked for
    assert response.route == "fallback" and response.responder == "offline"
    assert [c["outcome"] for c in response.calls] == ["malformed"]


def test_needs_person_adds_an_escalation_for_the_request_its_reason_names() -> None:
    answer = (
        '{"reply": "Fact number 3. A member of the team will follow up.", "topics": ["custom:t3"], '
        '"intent": "needs_person", "reason": "complaint", "language": "en"}'
    )
    response = router_with(answer).respond(request())
    assert response.route == "model" and response.escalate == "policy:complaint"


def test_history_loses_the_access_details_a_guest_may_not_receive_now() -> None:
    door = {"topic": "access", "title": "Door", "sensitive": True, "content": {"en": "The door code is 4821."}}
    sent_earlier = "Welcome! The door code is 4821. Check-in is from 15:00."
    ended = request(access=Access.ended, knowledge=[*ENTRIES, door], history=[("bot", sent_earlier)])
    assert "4821" not in context.redact(sent_earlier, ended) and "15:00" in context.redact(sent_earlier, ended)
    allowed = request(access=Access.allowed, knowledge=[*ENTRIES, door])
    assert context.redact(sent_earlier, allowed) == sent_earlier
