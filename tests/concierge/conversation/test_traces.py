"""A turn's trace is complete when the primary model provider fails: every field, over real HTTP and a real DB."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from concierge.conversation import traces
from concierge.conversation.models import Message, Trace
from concierge.core.db import session_scope
from concierge.core.settings import get_settings
from knowledge.models import Property
from tests.factories import GOOD_WIFI, JOHN, guest_says, make_release, trace_of
from tests.fakes.openai_api import FakeModelAPI, use_both_providers

CHAIN = "openai:gpt-4o-mini,anthropic:claude-haiku-4-5"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeModelAPI]:
    """Both providers on one fake; offline-first off so the question goes to the models."""
    with FakeModelAPI() as api:
        use_both_providers(api, monkeypatch, LLM_RETRY_BASE_SECONDS="0.01", LLM_MAX_RETRIES="1")
        get_settings.cache_clear()
        yield api
    get_settings.cache_clear()


def active_release(providers: str) -> int:
    return make_release("chain", providers=providers, prompts={"grounded_reply": 1}, active=True)


def ask(prop: Property, body: str) -> tuple[Trace, Message, Message | None]:
    """John asks; the turn's trace, his message and the reply it records."""
    message_id = guest_says(prop, body, phone=JOHN).id
    trace = trace_of(message_id)
    with session_scope() as s:
        inbound = s.get_one(Message, message_id)
        reply = s.get(Message, trace.reply_message_id) if trace.reply_message_id else None
        return trace, inbound, reply


def assert_common(trace: Trace, inbound: Message, reply: Message | None, *, release_id: int) -> dict[str, Any]:
    """The fields every answered turn's trace carries, whoever answered."""
    data = trace.data
    nodes = data["nodes"]
    assert [n["node"] for n in nodes] == [
        "load_context",
        "detect_language",
        "screen_input",
        "retrieve",
        "respond",
        "check_output",
        "decide",
    ]
    starts = [n["start_ms"] for n in nodes]
    assert starts == sorted(starts) and all(n["ms"] >= 0 for n in nodes)
    for before, after in zip(nodes, nodes[1:], strict=False):  # nodes run one after the other
        assert after["start_ms"] >= before["start_ms"] + before["ms"] - 0.05
    assert data["language"] == "en" and data["language_reason"]
    assert data["verdict"] == "question" and data["access"]
    assert data["candidates"][0]["topic"] == "wifi" and isinstance(data["candidates"][0]["score"], float)
    assert data["selected"] == ["wifi"]
    assert data["checks"] == [] and data["llm"]["rejected"] == []
    assert data["knowledge_version"] == 1
    assert data["release"]["id"] == release_id and data["release"]["providers"] == CHAIN
    assert data["decision"] == "reply"
    assert reply is not None and trace.reply_message_id == reply.id
    assert data["reply"] == {
        "message_id": reply.id,
        "chars": len(reply.body),
        "digest": traces.reply_digest(reply.body),
        "sent": True,
    }
    assert data["input"] == {"message_id": inbound.id, "chars": len(inbound.body)}
    # Privacy: neither the guest's text nor the phone number, nor the reply itself, is in the trace.
    dumped = json.dumps(data)
    assert inbound.body not in dumped and "7700900123" not in dumped and reply.body not in dumped
    assert data["guest"].startswith("h:")
    return data


def test_trace_is_complete_when_the_primary_fails_and_the_second_provider_answers(
    prop: Property, fake: FakeModelAPI
) -> None:
    release_id = active_release(CHAIN)
    fake.fail(500, times=2)  # the primary: first try and its one retry
    fake.answer(GOOD_WIFI)  # the fallback provider
    trace, inbound, reply = ask(prop, "what is the wifi password?")
    assert reply is not None and reply.body == GOOD_WIFI
    data = assert_common(trace, inbound, reply, release_id=release_id)
    assert data["responder"] == "anthropic:claude-haiku-4-5"
    llm = data["llm"]
    assert llm["route"] == "model" and llm["chain"] == [*CHAIN.split(","), "offline"]
    assert llm["prompt"] == "grounded_reply@1"
    calls = llm["calls"]
    assert [(c["vendor"], c["model"], c["attempt"], c["outcome"], c["status"]) for c in calls] == [
        ("openai", "gpt-4o-mini", 1, "server_error", 500),
        ("openai", "gpt-4o-mini", 2, "server_error", 500),
        ("anthropic", "claude-haiku-4-5", 1, "ok", None),
    ]
    assert [c["error"] for c in calls] == ["server_error 500", "server_error 500", None]
    assert [c["retry"] for c in calls] == [False, True, False]
    assert all(c["prompt"] == "grounded_reply@1" for c in calls)
    assert llm["retries"] == 1 and llm["errors"] == 2 and llm["fallback"] is True  # the second provider answered
    ok = calls[2]
    assert ok["input_tokens"] > 0 and ok["output_tokens"] > 0 and ok["cost_usd"] > 0
    assert llm["cost_usd"] == pytest.approx(ok["cost_usd"])
    assert all(c["ms"] > 0 for c in calls)
    at = [c["at_ms"] for c in calls]
    assert at == sorted(at) and at[1] >= at[0] + calls[0]["ms"]  # offsets follow the calls in order
    respond = next(n for n in data["nodes"] if n["node"] == "respond")
    assert respond["start_ms"] <= llm["start_ms"] <= respond["start_ms"] + respond["ms"]
    assert llm["start_ms"] + at[-1] + ok["ms"] <= respond["start_ms"] + respond["ms"] + 1


def test_trace_is_complete_when_the_only_provider_times_out_and_offline_answers(
    prop: Property, fake: FakeModelAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_CALL_TIMEOUT_SECONDS", "0.3")
    monkeypatch.setenv("LLM_MAX_RETRIES", "0")
    get_settings.cache_clear()
    release_id = active_release("openai:gpt-4o-mini")
    fake.hang(2.0)
    trace, inbound, reply = ask(prop, "what is the wifi password?")
    data = trace.data
    assert data["release"]["providers"] == "openai:gpt-4o-mini"
    assert data["responder"] == "offline" and data["llm"]["route"] == "fallback" and data["llm"]["fallback"] is True
    [call] = data["llm"]["calls"]
    assert call["outcome"] == "timeout" and call["error"] == "timeout" and call["model"] == "gpt-4o-mini"
    assert "input_tokens" not in call and "cost_usd" not in call  # no usage on a timeout
    assert 250 <= call["ms"] < 2000
    assert data["nodes"][-1]["node"] == "decide"
    assert reply is not None and "CasaTest-5G" in reply.body
    assert data["reply"]["message_id"] == reply.id and data["input"]["message_id"] == inbound.id
    assert data["release"]["id"] == release_id


def test_timeline_places_calls_inside_respond() -> None:
    data = {
        "nodes": [
            {"node": "load_context", "start_ms": 0.0, "ms": 2.0},
            {"node": "respond", "start_ms": 2.0, "ms": 96.0},
            {"node": "decide", "start_ms": 98.0, "ms": 2.0},
        ],
        "llm": {"start_ms": 3.0, "calls": [{"provider": "openai:m", "at_ms": 5.0, "ms": 90.0, "error": "timeout"}]},
    }
    bars, total = traces.timeline(data)
    assert total == 100.0
    assert [(b.label.split(" ")[0], b.kind, b.x, b.width) for b in bars] == [
        ("load_context", "node", 0.0, 2.0),
        ("respond", "node", 2.0, 96.0),
        ("openai:m", "call", 8.0, 90.0),
        ("decide", "node", 98.0, 2.0),
    ]
    assert bars[2].error == "timeout"
