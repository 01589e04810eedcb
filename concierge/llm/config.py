"""The router's knobs, read from the LLM_* settings."""

from dataclasses import dataclass

from concierge.core.settings import Settings


@dataclass(frozen=True)
class RouterConfig:
    turn_deadline: float = 12.0
    call_timeout: float = 8.0
    max_retries: int = 2
    retry_base: float = 0.5
    breaker_failures: int = 3
    breaker_reset: float = 30.0
    offline_first: bool = True
    offline_confidence: float = 0.9
    daily_budget_usd: float | None = None
    prompt_version: int | None = None
    concurrent_calls: int = 4  # model calls in flight at once: the worker's concurrent turns, with headroom

    @classmethod
    def from_settings(cls, settings: Settings) -> "RouterConfig":
        """The router's knobs from the LLM_* settings."""
        return cls(
            turn_deadline=settings.llm_turn_deadline_seconds,
            call_timeout=settings.llm_call_timeout_seconds,
            max_retries=settings.llm_max_retries,
            retry_base=settings.llm_retry_base_seconds,
            breaker_failures=settings.llm_breaker_failures,
            breaker_reset=settings.llm_breaker_reset_seconds,
            offline_first=settings.llm_offline_first,
            offline_confidence=settings.llm_offline_confidence,
            daily_budget_usd=settings.llm_daily_budget_usd,
            prompt_version=settings.llm_prompt_version,
            # A call past the turn deadline keeps its thread until its socket timeout: room for those too.
            concurrent_calls=2 * settings.worker_concurrency,
        )
