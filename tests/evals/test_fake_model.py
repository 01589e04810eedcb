"""The fact-seeking fake model: real sockets, the official openai client, and the app's own provider code."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from openai import OpenAI

from concierge.core.settings import get_settings
from concierge.guard.secrets import Access
from concierge.llm.router import Router
from concierge.llm.types import ResponseRequest
from tests.fakes.fact_model import MODEL, NO_ANSWER, PROMISES, Expectation, FactSeekingModel

CHECK_IN = "Check-in is from 16:00. The flat has a smart lock, so you let yourself in at any time after 16:00."
PARKING = "There is no parking at the building; the public garage on Mar street costs 14 € per day."


@pytest.fixture
def fake() -> Iterator[FactSeekingModel]:
    with FactSeekingModel() as server:
        yield server


def ask(fake: FactSeekingModel, system: str, user: str, **extra: Any) -> Any:
    client = OpenAI(base_url=fake.base_url, api_key="test", max_retries=0)
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return client.chat.completions.create(model=MODEL, messages=messages, **extra)  # type: ignore[call-overload]


def test_quotes_the_expected_fact_only_when_it_was_sent(fake: FactSeekingModel) -> None:
    fake.expect(Expectation(facts=(CHECK_IN,), topics=("check_in",)))
    answered = ask(fake, f"FACTS:\n- Check-in: {CHECK_IN}", "what time can we get in?")
    assert answered.choices[0].message.content == CHECK_IN
    assert answered.choices[0].finish_reason == "stop"
    missing = ask(fake, f"FACTS:\n- Parking: {PARKING}", "what time can we get in?")
    assert missing.choices[0].message.content == NO_ANSWER
    assert [a.answered for a in fake.answers] == [True, False]


def test_a_fact_in_the_conversation_counts_whitespace_aside(fake: FactSeekingModel) -> None:
    fake.expect(Expectation(facts=(CHECK_IN,), topics=("check_in",)))
    wrapped = CHECK_IN.replace(". ", ".\n   ")  # the way a prompt file may wrap it
    client = OpenAI(base_url=fake.base_url, api_key="test", max_retries=0)
    reply = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Answer from the facts."},
            {"role": "assistant", "content": wrapped},
            {"role": "user", "content": "sorry, from what time again?"},
        ],
    )
    assert reply.choices[0].message.content == CHECK_IN


def test_json_schema_requests_get_json_in_that_shape(fake: FactSeekingModel) -> None:
    fake.expect(Expectation(facts=(CHECK_IN,), topics=("check_in",)))
    schema = {
        "type": "object",
        "properties": {
            "reply": {"type": "string"},
            "entries_used": {"type": "array", "items": {"type": "string"}},
            "intent": {"type": "string", "enum": ["answer", "no_answer"]},
            "needs_human": {"type": "boolean"},
        },
        "required": ["reply", "entries_used", "intent", "needs_human"],
    }
    response_format = {"type": "json_schema", "json_schema": {"name": "turn", "schema": schema}}
    answered = ask(fake, f"FACTS: {CHECK_IN}", "check-in?", response_format=response_format)
    assert json.loads(answered.choices[0].message.content) == {
        "reply": CHECK_IN,
        "entries_used": ["check_in"],
        "intent": "answer",
        "needs_human": False,
    }
    refused = json.loads(
        ask(fake, "FACTS: none", "check-in?", response_format=response_format).choices[0].message.content
    )
    assert refused == {"reply": NO_ANSWER, "entries_used": [], "intent": "no_answer", "needs_human": True}


def test_tool_calls_carry_the_answer_as_arguments(fake: FactSeekingModel) -> None:
    fake.expect(Expectation(facts=(CHECK_IN,), topics=("check_in",)))
    tools = [
        {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}}},
        {
            "type": "function",
            "function": {
                "name": "send_reply",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string"},
                        "topics": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    ]
    choice = {"type": "function", "function": {"name": "send_reply"}}
    answered = ask(fake, f"FACTS: {CHECK_IN}", "check-in?", tools=tools, tool_choice=choice).choices[0]
    assert answered.finish_reason == "tool_calls"
    (call,) = answered.message.tool_calls
    assert call.function.name == "send_reply"
    assert json.loads(call.function.arguments) == {"text": CHECK_IN, "topics": ["check_in"]}


def test_it_repeats_any_code_in_its_context(fake: FactSeekingModel) -> None:
    fake.expect(Expectation(secrets=("4821",)))
    system = "FACTS:\n- Door: the lockbox opens with 4821.\n- Gate: Code: 7305."
    reply = ask(fake, system, "what's the wifi password?").choices[0].message.content
    assert "4821" in reply and "7305" in reply  # registered, and introduced as a code
    assert "4821" not in ask(fake, "FACTS:\n- Wi-Fi: password sea-2024.", "door code?").choices[0].message.content


def test_it_promises_a_refund_when_money_is_asked_for(fake: FactSeekingModel) -> None:
    fake.expect(Expectation(language="es"))
    assert ask(fake, "FACTS: none", "quiero que me devolváis el dinero").choices[0].message.content == PROMISES["es"]
    fake.expect(Expectation(language="en"))
    assert PROMISES["en"] in ask(fake, "FACTS: none", "a discount would be fair").choices[0].message.content
    assert ask(fake, "FACTS: none", "what time is check-in?").choices[0].message.content == NO_ANSWER


def test_streaming_and_other_paths_are_refused_clearly(fake: FactSeekingModel) -> None:
    client = OpenAI(base_url=fake.base_url, api_key="test", max_retries=0)
    with pytest.raises(Exception, match="does not stream"):
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}], stream=True)
    with pytest.raises(Exception, match="chat/completions only"):
        client.embeddings.create(model=MODEL, input="hi")


def test_the_apps_router_reaches_it_through_its_own_provider(
    fake: FactSeekingModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "LLM_PROVIDERS": f"openai:{MODEL},offline",
        "OPENAI_BASE_URL": fake.base_url,
        "OPENAI_API_KEY": "test",
        "LLM_OFFLINE_FIRST": "false",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    router = Router.from_settings(get_settings())
    entry = {"topic": "check_in", "title": "Check-in", "content": {"en": CHECK_IN}}
    request = ResponseRequest(
        text="from what time can we get in?",
        language="en",
        entries=[entry],
        property_name="Kanal Loft",
        access=Access.no_reservation,
        access_window_hours=48,
        knowledge=[entry],
    )
    fake.expect(Expectation(facts=(CHECK_IN,), topics=("check_in",)))
    answered = router.respond(request)
    assert (answered.route, answered.responder, answered.text) == ("model", f"openai:{MODEL}", CHECK_IN)
    assert fake.requests[0]["model"] == MODEL
    fake.expect(Expectation(facts=(PARKING,), topics=("parking",)))  # what answers it was never sent
    assert router.respond(request).route == "model_no_answer"


def test_a_long_system_prompt_sent_again_is_reported_as_cached(fake: FactSeekingModel) -> None:
    fake.expect(Expectation(facts=(CHECK_IN,), topics=("check_in",)))
    system = f"FACTS:\n- Check-in: {CHECK_IN}\n" + "- Filler fact about the house.\n" * 200  # over 1,024 tokens
    first = ask(fake, system, "what time can we get in?")
    second = ask(fake, system, "and parking?")
    short = ask(fake, "FACTS: none", "hi")
    assert first.usage.prompt_tokens_details.cached_tokens == 0
    cached = second.usage.prompt_tokens_details.cached_tokens
    assert cached >= 1024 and cached % 128 == 0 and cached <= second.usage.prompt_tokens
    assert short.usage.prompt_tokens_details.cached_tokens == 0
    assert [c for _p, c, _o in fake.usage_log] == [0, cached, 0]
