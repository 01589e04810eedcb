"""Turns answered through the model router against a fake provider over real HTTP, on a real database.

Whatever the provider does (errors, rate limits, hangs, broken JSON, retired models, invented facts),
the guest gets a correct reply and the trace says what happened.
"""

from collections.abc import Iterator
from functools import partial

import pytest
from prometheus_client import REGISTRY

from concierge.core.settings import get_settings
from concierge.llm.router import Router
from concierge.llm.types import ResponseRequest, TurnResponse
from concierge.turn.runner import TurnRunner
from knowledge.models import Property
from tests import factories
from tests.factories import ANA, GOOD_WIFI, JOHN, STRANGER
from tests.fakes.openai_api import FakeModelAPI, last_user_text, system_text, use_openai

WIFI_EN = "Network CasaTest-5G, password sol-y-mar-2024."


@pytest.fixture(autouse=True)
def model_env(fake: FakeModelAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """One OpenAI-style provider on the fake; every question goes to it (offline-first off). This scripted fake
    answers in plain text, so these tests run prompt version 1 (the release rollback path); prompt version 2's
    structured answers are tested against the fact-seeking fake in test_model_context.py."""
    fake.reset()
    use_openai(fake, monkeypatch, LLM_RETRY_BASE_SECONDS="0.01", LLM_CALL_TIMEOUT_SECONDS="5", LLM_PROMPT_VERSION="1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# These tests' guest is John (booked, arrives in 20 days, writes English) unless a test says otherwise; the reply
# they check is the bot's own answer, not a staff alert sent after it.
ask = partial(factories.ask, phone=JOHN, author="bot")


def test_grounded_model_reply_is_sent_with_usage_cost_and_prompt_on_the_trace(
    prop: Property, fake: FakeModelAPI
) -> None:
    fake.answer(GOOD_WIFI)
    result = ask(prop, "what is the wifi password?")
    assert result["reply"] == GOOD_WIFI
    assert result["trace"]["responder"] == "openai:gpt-4o-mini"
    llm = result["llm"]
    assert llm["route"] == "model"
    assert llm["chain"] == ["openai:gpt-4o-mini", "offline"]
    assert llm["prompt"] == "grounded_reply@1"
    [(outcome, tokens_in, tokens_out, cost)] = result["calls"]
    assert outcome == "ok" and tokens_in > 0 and tokens_out > 0 and cost > 0
    assert llm["cost_usd"] == pytest.approx(cost)
    assert llm["conversation_cost_usd"] == pytest.approx(cost)
    # The prompt holds the facts the guest may see, in the guest's language, and never a sensitive entry.
    [request] = fake.requests
    assert WIFI_EN in system_text(request) and "English" in system_text(request)
    assert "4821" not in system_text(request)
    assert last_user_text(request).endswith("what is the wifi password?")
    assert "what is the wifi password" not in str(result["trace"])  # the guest's words stay off the trace


def test_conversation_cost_adds_up_across_turns(prop: Property, fake: FakeModelAPI) -> None:
    fake.answer(GOOD_WIFI, times=2)
    first = ask(prop, "what is the wifi password?")
    second = ask(prop, "and the wifi network name?")
    assert second["llm"]["conversation_cost_usd"] == pytest.approx(first["llm"]["cost_usd"] + second["llm"]["cost_usd"])


def test_offline_first_answers_confident_faq_without_calling_the_model(
    prop: Property, fake: FakeModelAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_OFFLINE_FIRST", "true")
    get_settings.cache_clear()
    result = ask(prop, "wifi password?")
    assert result["reply"] == WIFI_EN
    assert result["llm"]["route"] == "offline_first"
    assert fake.requests == [] and result["calls"] == []


def test_server_errors_are_retried_then_answered(prop: Property, fake: FakeModelAPI) -> None:
    fake.fail(500)
    fake.fail(503)
    fake.answer(GOOD_WIFI)
    result = ask(prop, "what is the wifi password?")
    assert result["reply"] == GOOD_WIFI
    assert result["outcomes"] == ["server_error", "server_error", "ok"]


def test_rate_limit_waits_for_retry_after(prop: Property, fake: FakeModelAPI) -> None:
    waits: list[float] = []
    runner = TurnRunner(get_settings())
    runner.router = Router.from_settings(get_settings(), sleep=waits.append)
    fake.fail(429, retry_after=3)
    fake.answer(GOOD_WIFI)
    result = ask(prop, "what is the wifi password?", runner=runner)
    assert result["reply"] == GOOD_WIFI
    assert result["outcomes"] == ["rate_limited", "ok"]
    assert waits == [3.0]


def test_server_errors_wait_a_full_jitter_backoff(prop: Property, fake: FakeModelAPI) -> None:
    waits: list[float] = []
    runner = TurnRunner(get_settings())
    runner.router = Router.from_settings(get_settings(), sleep=waits.append, jitter=lambda: 0.5)
    fake.fail(500)
    fake.fail(503)
    fake.answer(GOOD_WIFI)
    assert ask(prop, "what is the wifi password?", runner=runner)["reply"] == GOOD_WIFI
    assert waits == pytest.approx([0.005, 0.01])  # half of 0.01 s, then half of 0.02 s


def test_retry_after_beyond_the_deadline_falls_back_at_once(prop: Property, fake: FakeModelAPI) -> None:
    fake.fail(429, retry_after=60)
    result = ask(prop, "what is the wifi password?")
    assert result["reply"] == WIFI_EN  # the offline grounded answer
    assert result["llm"]["route"] == "fallback"
    assert result["llm"]["calls"][0]["gave_up"] == "retry_after_past_deadline"
    assert len(fake.requests) == 1


def test_a_hung_provider_is_abandoned_within_the_turn_deadline(
    prop: Property, fake: FakeModelAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_CALL_TIMEOUT_SECONDS", "0.3")
    monkeypatch.setenv("LLM_TURN_DEADLINE_SECONDS", "0.8")
    get_settings.cache_clear()
    fake.hang(5, times=5, text=GOOD_WIFI.replace("2024", "2099"))
    result = ask(prop, "what is the wifi password?")
    assert result["reply"] == WIFI_EN  # never the late (and wrong) answer
    assert result["outcomes"][0] == "timeout"
    assert set(result["outcomes"]) <= {"timeout", "deadline"}
    assert len(fake.requests) <= 3


def test_malformed_json_moves_on_to_the_next_provider(
    prop: Property, fake: FakeModelAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_PROVIDERS", "openai:gpt-4o-mini,compatible:llama-3.1-8b")
    monkeypatch.setenv("LLM_COMPATIBLE_BASE_URL", fake.openai_base_url)
    get_settings.cache_clear()
    fake.malformed()
    fake.answer(GOOD_WIFI)
    result = ask(prop, "what is the wifi password?")
    assert result["reply"] == GOOD_WIFI
    assert result["trace"]["responder"] == "compatible:llama-3.1-8b"
    assert result["outcomes"] == ["malformed", "ok"]  # not retried: it is not a 429, 5xx or timeout
    assert [r["model"] for r in fake.requests] == ["gpt-4o-mini", "llama-3.1-8b"]


def test_a_retired_model_is_not_retried(prop: Property, fake: FakeModelAPI) -> None:
    fake.deprecated()
    result = ask(prop, "what is the wifi password?")
    assert result["reply"] == WIFI_EN
    assert result["outcomes"] == ["model_unavailable"]
    assert len(fake.requests) == 1


def test_an_invented_refund_is_regenerated_once_with_the_reason(prop: Property, fake: FakeModelAPI) -> None:
    fake.answer("So sorry about the noise! We will refund your first night.")
    fake.answer("Sorry about that. A member of the team will follow up with you.")
    result = ask(prop, "the neighbours are noisy, can I get my money back? also wifi?")
    # The money request is screened (acknowledged, escalated); the model's answer follows, regenerated once.
    assert result["reply"].endswith("\n\nSorry about that. A member of the team will follow up with you.")
    assert "refund your first night" not in result["reply"]
    assert result["llm"]["rejected"] == ["openai:gpt-4o-mini:promise:refund"]
    assert [c["purpose"] for c in result["llm"]["calls"]] == ["answer", "regenerate"]
    retry_request = fake.requests[1]
    assert "refund" in last_user_text(retry_request)
    assert any(m.get("role") == "assistant" for m in retry_request["messages"])


def test_a_wrong_wifi_password_never_reaches_the_guest(prop: Property, fake: FakeModelAPI) -> None:
    fake.answer("The Wi-Fi password is sol-y-mar-2025.", times=2)
    result = ask(prop, "what is the wifi password?")
    assert result["reply"] == WIFI_EN
    assert "2025" not in result["reply"]
    assert result["llm"]["route"] == "output_rejected"
    assert result["llm"]["rejected"] == ["openai:gpt-4o-mini:ungrounded_code"] * 2
    assert "2025" not in str(result["trace"])


def test_an_access_code_is_never_leaked_to_a_stranger(prop: Property, fake: FakeModelAPI) -> None:
    fake.answer("Parking is space 14 in the garage at Calle Mar 3. The door code is 4821.", times=2)
    result = ask(prop, "where can I park the car?", phone=STRANGER)
    assert "4821" not in result["reply"]
    assert "Space 14" in result["reply"]
    assert result["llm"]["rejected"] == ["openai:gpt-4o-mini:secret"] * 2
    assert all("4821" not in system_text(r) for r in fake.requests)


def test_a_stranger_asking_for_the_code_gets_the_policy_reply_without_a_model_call(
    prop: Property, fake: FakeModelAPI
) -> None:
    result = ask(prop, "what is the door code?", phone=STRANGER)
    assert "4821" not in result["reply"]
    assert result["llm"]["route"] == "policy"
    assert result["escalations"] == ["access_request"]
    assert fake.requests == []


def test_the_booked_guest_inside_the_window_may_get_the_code_from_the_model(prop: Property, fake: FakeModelAPI) -> None:
    fake.answer("El código de la puerta es 4821.")
    result = ask(prop, "cuál es el código de la puerta?", phone=ANA)
    assert result["reply"] == "El código de la puerta es 4821."
    assert "4821" in system_text(fake.requests[0])


def test_model_no_answer_gets_the_offline_reply_and_an_escalation(prop: Property, fake: FakeModelAPI) -> None:
    fake.answer("NO_ANSWER")
    result = ask(prop, "is there a laundrette on the parking street?")
    assert result["llm"]["route"] in ("model_no_answer", "no_context")
    assert result["reply"]


def test_breaker_opens_skips_the_provider_and_recovers(
    prop: Property, fake: FakeModelAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("LLM_BREAKER_FAILURES", "2")
    get_settings.cache_clear()
    now = [0.0]
    runner = TurnRunner(get_settings())
    runner.router = Router.from_settings(get_settings(), clock=lambda: now[0])
    fake.fail(500, times=2)
    for _ in range(2):
        assert ask(prop, "what is the wifi password?", runner=runner)["reply"] == WIFI_EN
    assert len(fake.requests) == 2
    gauge = {"provider": runner.router.specs[0].name}
    assert REGISTRY.get_sample_value("concierge_llm_breaker_state", gauge) == 2  # open, on /metrics too
    skipped = ask(prop, "what is the wifi password?", runner=runner)
    assert skipped["reply"] == WIFI_EN
    assert skipped["outcomes"] == ["breaker_open"]
    assert len(fake.requests) == 2  # the open breaker sent nothing
    now[0] += get_settings().llm_breaker_reset_seconds
    fake.answer(GOOD_WIFI, times=2)
    probe = ask(prop, "what is the wifi password?", runner=runner)
    assert probe["reply"] == GOOD_WIFI and probe["outcomes"] == ["ok"]
    assert REGISTRY.get_sample_value("concierge_llm_breaker_state", gauge) == 0  # closed by the probe
    assert ask(prop, "what is the wifi password?", runner=runner)["reply"] == GOOD_WIFI  # closed again


def test_daily_budget_switches_to_offline_and_alerts_staff_once(
    prop: Property, fake: FakeModelAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_DAILY_BUDGET_USD", "0.000001")
    get_settings.cache_clear()
    fake.answer(GOOD_WIFI, times=3)
    first = ask(prop, "what is the wifi password?")
    assert first["reply"] == GOOD_WIFI  # the first call spends the budget
    second = ask(prop, "what is the wifi password?")
    assert second["reply"] == WIFI_EN
    assert second["llm"]["route"] == "budget" and second["llm"]["budget_exceeded"]
    assert second["escalations"] == ["llm_budget_exceeded"]
    third = ask(prop, "what is the wifi password?", phone=ANA)
    assert third["llm"]["route"] == "budget"
    assert third["escalations"] == []  # staff were told once today
    assert len(fake.requests) == 1


def test_a_broken_offline_responder_still_leaves_a_canned_reply_and_an_escalation(
    prop: Property, fake: FakeModelAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concierge.llm import offline

    def broken(request: object) -> object:
        raise RuntimeError("bug")

    monkeypatch.setattr(offline, "respond", broken)
    fake.answer(GOOD_WIFI)
    result = ask(prop, "what is the wifi password?")
    assert result["reply"].startswith("Sorry, I'm having a technical problem")
    assert result["escalations"] == ["responder_error"]
    assert fake.requests == []


def test_anthropic_provider_end_to_end(prop: Property, fake: FakeModelAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_PROVIDERS", "anthropic:claude-haiku-4-5,openai:gpt-4o-mini")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.anthropic_base_url)
    get_settings.cache_clear()
    fake.fail(529)
    fake.answer(GOOD_WIFI)
    result = ask(prop, "what is the wifi password?")
    assert result["reply"] == GOOD_WIFI
    assert result["trace"]["responder"] == "anthropic:claude-haiku-4-5"
    assert result["outcomes"] == ["server_error", "ok"]
    assert [r["_path"] for r in fake.requests] == ["/v1/messages", "/v1/messages"]
    assert WIFI_EN in system_text(fake.requests[1])
    # The stable system prompt is marked for Anthropic's prompt cache.
    assert fake.requests[1]["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert result["calls"][-1][3] > 0  # priced from the table


def test_gemini_provider_end_to_end(prop: Property, fake: FakeModelAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_PROVIDERS", "gemini:gemini-2.5-flash")
    monkeypatch.setenv("GOOGLE_API_KEY", "test-key")
    monkeypatch.setenv("GOOGLE_BASE_URL", fake.gemini_base_url)
    get_settings.cache_clear()
    fake.fail(503)
    fake.answer(GOOD_WIFI)
    result = ask(prop, "what is the wifi password?")
    assert result["reply"] == GOOD_WIFI
    assert result["trace"]["responder"] == "gemini:gemini-2.5-flash"
    assert result["outcomes"] == ["server_error", "ok"]
    assert [r["_path"].split("?")[0] for r in fake.requests] == ["/v1beta/models/gemini-2.5-flash:generateContent"] * 2
    assert WIFI_EN in system_text(fake.requests[1])


class UncheckedRouter(Router):
    """A router with a bug: it returns the model's reply without the output check."""

    def respond(self, request: ResponseRequest) -> TurnResponse:
        return TurnResponse(text="Parking: space 14. Code: 4821", entry_ids=["parking"], responder="openai:gpt-4o-mini")


def test_the_graph_rechecks_model_replies_even_if_the_router_did_not(prop: Property) -> None:
    runner = TurnRunner(get_settings())
    runner.router = UncheckedRouter(["openai:gpt-4o-mini"], models={})
    result = ask(prop, "where can I park the car?", phone=STRANGER, runner=runner)
    assert "4821" not in result["reply"]
    assert result["trace"]["checks"] == ["output:secret"]
    assert result["escalations"] == ["output_blocked"]
