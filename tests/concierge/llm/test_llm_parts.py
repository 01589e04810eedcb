"""The router's parts on their own: breaker states, price table, prompt files, provider configuration."""

import subprocess
import sys

import pytest

from concierge.core.settings import Settings
from concierge.llm.attempts import classify
from concierge.llm.breaker import BreakerState, CircuitBreaker
from concierge.llm.cost import PriceTable, load_prices
from concierge.llm.prompts import load_prompt, versions
from concierge.llm.providers import ProviderSpec, UnsupportedProvider, build_chat_model, parse_specs
from concierge.llm.router import parse_providers
from tests.factories import ROOT


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_consecutive_failures_and_probes_once() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=3, reset_seconds=30, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.failure()
    breaker.success()  # a success in between resets the count
    for _ in range(3):
        assert breaker.allow()
        breaker.failure()
    assert breaker.state is BreakerState.open
    assert not breaker.allow()
    clock.now += 29
    assert not breaker.allow()
    clock.now += 1
    assert breaker.state is BreakerState.half_open
    assert breaker.allow()
    assert not breaker.allow()  # one probe at a time
    breaker.failure()  # the probe failed: open again for a full period
    assert breaker.state is BreakerState.open
    clock.now += 30
    assert breaker.allow()
    breaker.success()
    assert breaker.state is BreakerState.closed
    assert breaker.allow() and breaker.allow()


def test_price_table_costs_calls_and_never_prices_an_unknown_model_at_zero() -> None:
    table = load_prices()
    usd, listed = table.cost("openai", "gpt-4o-mini", input_tokens=1_000_000, output_tokens=1_000_000)
    assert listed and usd == pytest.approx(0.75)
    assert table.cost("ollama", "llama3.2", input_tokens=5000, output_tokens=5000) == (0.0, True)
    usd, listed = table.cost("openai", "gpt-99-preview", input_tokens=1000, output_tokens=1000)
    dearest = max(p.input + p.output for p in table.prices.values())
    assert not listed and usd == pytest.approx(1000 * dearest / 1_000_000)
    assert PriceTable({}).cost("openai", "x", input_tokens=10, output_tokens=10) == (0.0, False)


def test_price_file_can_be_replaced(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "prices.toml"  # type: ignore[operator]
    path.write_text('[prices."openai:gpt-4o-mini"]\ninput = 1.0\noutput = 2.0\n')
    assert load_prices(str(path)).cost("openai", "gpt-4o-mini", input_tokens=10**6, output_tokens=0)[0] == 1.0


def test_cached_input_tokens_are_priced_at_the_cache_price() -> None:
    table = load_prices()
    full, _ = table.cost("openai", "gpt-4o-mini", input_tokens=10**6, output_tokens=0)
    cached, _ = table.cost("openai", "gpt-4o-mini", input_tokens=10**6, output_tokens=0, cached_tokens=10**6)
    assert full == pytest.approx(0.15) and cached == pytest.approx(0.075)
    haiku, _ = table.cost("anthropic", "claude-haiku-4-5", input_tokens=10**6, output_tokens=0, cached_tokens=5 * 10**5)
    assert haiku == pytest.approx(0.5 + 0.05)


def test_prompt_files_carry_their_id_and_version() -> None:
    assert versions("grounded_reply") == [1, 2]
    prompt = load_prompt("grounded_reply")
    assert prompt.ref == "grounded_reply@2" and prompt.structured
    # The stable part first (rules, then the knowledge), what changes per turn last: prompt caching applies.
    assert prompt.system.rstrip().endswith("{knowledge}") and "{message}" in prompt.user
    assert "{language" not in prompt.system and "{booking}" in prompt.user
    rollback = load_prompt("grounded_reply", 1)  # version 1 stays loadable: a release can roll back to it
    assert rollback.ref == "grounded_reply@1" and not rollback.structured
    assert "{facts}" in rollback.system and "NO_ANSWER" in rollback.system
    with pytest.raises(FileNotFoundError):
        load_prompt("grounded_reply", 99)


def test_llm_providers_is_parsed_and_checked() -> None:
    assert parse_providers("offline") == ["offline"]
    assert parse_providers("openai:gpt-4o-mini, anthropic:claude-haiku-4-5,offline") == [
        "openai:gpt-4o-mini",
        "anthropic:claude-haiku-4-5",
        "offline",
    ]
    assert parse_specs("ollama:llama3.2") == [ProviderSpec("ollama", "llama3.2")]
    with pytest.raises(UnsupportedProvider, match="unknown provider 'litellm'"):
        parse_providers("litellm:gpt-4o")
    with pytest.raises(UnsupportedProvider, match="needs a model"):
        parse_providers("openai")


@pytest.mark.parametrize(
    ("spec", "variable"),
    [
        (ProviderSpec("openai", "gpt-4o-mini"), "OPENAI_API_KEY"),
        (ProviderSpec("anthropic", "claude-haiku-4-5"), "ANTHROPIC_API_KEY"),
        (ProviderSpec("gemini", "gemini-2.5-flash"), "GOOGLE_API_KEY"),
        (ProviderSpec("deepseek", "deepseek-chat"), "DEEPSEEK_API_KEY"),
        (ProviderSpec("compatible", "llama-3.1-8b"), "LLM_COMPATIBLE_BASE_URL"),
    ],
)
def test_a_provider_without_its_settings_fails_at_startup(spec: ProviderSpec, variable: str) -> None:
    with pytest.raises(UnsupportedProvider, match=variable):
        build_chat_model(spec, Settings(_env_file=None), timeout=1.0)  # type: ignore[call-arg]


def test_each_provider_builds_its_langchain_model() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        openai_api_key="k",
        anthropic_api_key="k",
        google_api_key="k",
        deepseek_api_key="k",
        llm_compatible_base_url="http://127.0.0.1:9/v1",
    )
    built = {
        provider: type(build_chat_model(ProviderSpec(provider, "m"), settings, timeout=1.0)).__name__
        for provider in ("openai", "anthropic", "gemini", "deepseek", "ollama", "compatible")
    }
    assert built == {
        "openai": "ChatOpenAI",
        "anthropic": "ChatAnthropic",
        "gemini": "ChatGoogleGenerativeAI",
        "deepseek": "ChatOpenAI",
        "ollama": "ChatOpenAI",
        "compatible": "ChatOpenAI",
    }


def test_no_provider_sdk_is_imported_when_offline() -> None:
    code = (
        "import sys; from concierge.turn.runner import TurnRunner; from concierge.core.settings import Settings;"
        "TurnRunner(Settings(_env_file=None));"
        "print(sorted(m for m in ('langchain_openai', 'langchain_anthropic', 'langchain_google_genai',"
        " 'openai', 'anthropic') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_only_429_5xx_and_timeouts_are_retryable() -> None:
    class StatusError(Exception):
        def __init__(self, status: int, message: str = "") -> None:
            super().__init__(message)
            self.status_code = status

    assert classify(TimeoutError()).retryable
    assert classify(StatusError(429)).retryable
    assert classify(StatusError(503)).retryable
    assert not classify(StatusError(400)).retryable
    assert classify(StatusError(400, "model gpt-3 is deprecated")).kind == "model_unavailable"
    assert classify(StatusError(401)).kind == "auth"
    assert not classify(ValueError("Expecting value")).retryable
