"""The responder router: model providers in order, each behind retries and a circuit breaker, then offline.

A turn never waits on a provider past its deadline and never sends an unchecked model reply:

    offline answer computed first (it is the fallback and the offline-first fast path)
    skip models: no provider, sensitive refusal, high-confidence FAQ, nothing to ground on, daily budget spent
    for each provider whose breaker allows it:
        call with a timeout bounded by the turn deadline; retry 429/5xx/timeouts with jittered backoff
        (Retry-After honoured); any other error moves on to the next provider
        the reply passes the output check → sent; fails → asked again once with the reasons; fails → offline
    offline grounded reply; if even that raises, a canned localized reply and an escalation
"""

import logging
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from concierge.core.backoff import Backoff
from concierge.core.settings import Settings
from concierge.guard.output import Finding, check_reply
from concierge.guard.secrets import Access
from concierge.i18n import gettext_for
from concierge.llm import offline
from concierge.llm.attempts import Attempt, classify, text_of
from concierge.llm.breaker import CircuitBreaker, published_as
from concierge.llm.cost import PriceTable, load_prices
from concierge.llm.prompting import build_messages, facts_entries, output_context
from concierge.llm.prompts import Prompt, load_prompt
from concierge.llm.providers import (
    KNOWN_PROVIDERS,
    ProviderSpec,
    UnsupportedProvider,
    build_chat_model,
    parse_specs,
)
from concierge.llm.types import ResponseRequest, TurnResponse

log = logging.getLogger(__name__)

__all__ = ["KNOWN_PROVIDERS", "Router", "RouterConfig", "UnsupportedProvider", "parse_providers"]

NO_ANSWER = "NO_ANSWER"
PROMPT_ID = "grounded_reply"
# Time kept back from the turn deadline for the checks and the offline fallback after the last call.
DEADLINE_RESERVE_SECONDS = 0.05
MIN_CALL_SECONDS = 0.1  # a call with less time than this left is not worth starting


def parse_providers(spec: str) -> list[str]:
    """`LLM_PROVIDERS` as "provider:model" names ending with "offline"; raises UnsupportedProvider."""
    return [s.name for s in parse_specs(spec)] + ["offline"]


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
        )


@dataclass
class _Turn:
    request: ResponseRequest
    deadline: float
    started: float = 0.0  # router clock at the start of the turn's routing (call offsets on the timeline)
    calls: list[dict[str, Any]] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


class Router:
    """Tries each model provider in turn; the offline grounded responder always answers last."""

    def __init__(
        self,
        providers: list[str] | None = None,
        *,
        config: RouterConfig | None = None,
        models: dict[str, Any] | None = None,
        model_factory: Callable[[ProviderSpec], Any] | None = None,
        prices: PriceTable | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        names = [p for p in (providers or []) if p != "offline"]
        self.specs = parse_specs(",".join(names))
        self.providers = [s.name for s in self.specs] + ["offline"]
        self.config = config or RouterConfig()
        self.prices = prices or load_prices()
        self.clock, self.sleep = clock, sleep
        # Full jitter, never sooner than the provider's Retry-After; no wait is longer than a whole turn (a wait
        # past what is left of the turn gives up at once anyway).
        self.backoff = Backoff(base=self.config.retry_base, cap=self.config.turn_deadline, rng=jitter)
        self.breakers = {
            s.name: CircuitBreaker(
                failures=self.config.breaker_failures,
                reset_seconds=self.config.breaker_reset,
                clock=clock,
                on_change=published_as(s.name),  # the breaker gauge follows every change
            )
            for s in self.specs
        }
        self._models: dict[str, Any] = dict(models or {})
        for spec in self.specs:  # build every model now so a missing key fails at startup, not mid-conversation
            if spec.name not in self._models and model_factory is not None:
                self._models[spec.name] = model_factory(spec)
        self.prompt: Prompt | None = load_prompt(PROMPT_ID, self.config.prompt_version) if self.specs else None
        # Calls run on a pool so the turn deadline holds even when a socket timeout does not fire in time.
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="llm") if self.specs else None

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> "Router":
        """The router for `LLM_PROVIDERS` with each provider built from its own settings."""
        config = RouterConfig.from_settings(settings)
        return cls(
            parse_providers(settings.llm_providers),
            config=config,
            model_factory=lambda spec: build_chat_model(spec, settings, timeout=config.call_timeout),
            prices=load_prices(settings.llm_prices_file),
            **kwargs,
        )

    @property
    def uses_models(self) -> bool:
        """Whether any model provider is configured (the budget only matters then)."""
        return bool(self.specs)

    # -- the turn -------------------------------------------------------------------------------------

    def respond(self, request: ResponseRequest) -> TurnResponse:
        """A grounded reply for the request, within the turn deadline."""
        started = self.clock()
        turn = _Turn(request=request, deadline=started + self.config.turn_deadline, started=started)
        fallback = self._offline(request)
        skip = self._skip_reason(request, fallback)
        if skip is not None:
            return self._finish(turn, fallback, route=skip, budget_exceeded=skip == "budget")
        assert self.prompt is not None
        messages = build_messages(self.prompt, request)
        for spec in self.specs:
            if self._deadline_left(turn) < MIN_CALL_SECONDS:
                turn.calls.append({"provider": spec.name, "outcome": "deadline"})
                continue
            reply = self._call(spec, turn, messages, purpose="answer")
            if reply is None:
                continue  # provider unavailable: the next one
            if reply.strip() == NO_ANSWER:
                return self._finish(turn, fallback, route="model_no_answer")
            findings = self._check(spec, turn, reply)
            if not findings:
                return self._finish(turn, self._model_response(spec, turn, reply), route="model")
            retry = [*messages, AIMessage(reply), HumanMessage(self._retry_text(findings))]
            second = self._call(spec, turn, retry, purpose="regenerate")
            if second is not None and second.strip() == NO_ANSWER:
                return self._finish(turn, fallback, route="model_no_answer")
            if second is not None and not self._check(spec, turn, second):
                return self._finish(turn, self._model_response(spec, turn, second), route="model")
            # Twice unsafe (or no second answer): the offline reply is correct; another model is not needed.
            return self._finish(turn, fallback, route="output_rejected")
        return self._finish(turn, fallback, route="fallback")

    def _skip_reason(self, request: ResponseRequest, fallback: TurnResponse) -> str | None:
        if not self.specs:
            return "offline"
        if fallback.responder == "canned":
            return "offline_error"
        if request.access is not Access.allowed and any(e.get("sensitive") for e in request.entries):
            return "policy"  # access refusals are deterministic policy, never a model's wording
        confident = request.entries and request.confidence >= self.config.offline_confidence
        if self.config.offline_first and fallback.escalate is None and confident:
            return "offline_first"
        if not facts_entries(request):
            return "no_context"
        budget = self.config.daily_budget_usd
        if budget is not None and request.spent_today_usd >= budget:
            return "budget"
        return None

    def _check(self, spec: ProviderSpec, turn: _Turn, reply: str) -> list[Finding]:
        """The output check's findings on a model reply, recorded on the turn."""
        findings = check_reply(reply, output_context(turn.request))
        if findings:
            turn.checks.extend(f"{spec.name}:{f.kind}" for f in findings)
            log.info("model reply rejected", extra={"provider": spec.name, "checks": [f.kind for f in findings]})
        return findings

    def _model_response(self, spec: ProviderSpec, turn: _Turn, reply: str) -> TurnResponse:
        topics = [e["topic"] for e in facts_entries(turn.request)]
        return TurnResponse(text=reply.strip(), entry_ids=topics, responder=spec.name)

    def _finish(
        self, turn: _Turn, response: TurnResponse, *, route: str, budget_exceeded: bool = False
    ) -> TurnResponse:
        cost = round(sum(c.get("cost_usd", 0.0) for c in turn.calls), 8)
        return replace(
            response,
            calls=turn.calls,
            checks=turn.checks,
            prompt=self.prompt.ref if self.prompt and turn.calls else None,
            chain=self.providers,
            route=route,
            cost_usd=cost,
            budget_exceeded=budget_exceeded,
        )

    def _offline(self, request: ResponseRequest) -> TurnResponse:
        try:
            return offline.respond(request)
        except Exception:  # a bug in the last resort must still leave the guest with an answer
            log.exception("offline responder failed")
            _ = gettext_for(request.language)
            text = _("Sorry, I'm having a technical problem. A member of our team will follow up with you shortly.")
            return TurnResponse(text=text, entry_ids=[], responder="canned", escalate="responder_error")

    def _deadline_left(self, turn: _Turn) -> float:
        return turn.deadline - self.clock() - DEADLINE_RESERVE_SECONDS

    # -- one provider ---------------------------------------------------------------------------------

    def _call(self, spec: ProviderSpec, turn: _Turn, messages: list[BaseMessage], *, purpose: str) -> str | None:
        """The provider's reply text with retries on retryable errors; None when it gave none in time."""
        breaker = self.breakers[spec.name]
        for attempt in range(self.config.max_retries + 1):
            left = self._deadline_left(turn)
            if left < MIN_CALL_SECONDS:
                turn.calls.append({"provider": spec.name, "purpose": purpose, "outcome": "deadline"})
                return None
            if not breaker.allow():
                turn.calls.append({"provider": spec.name, "purpose": purpose, "outcome": "breaker_open"})
                return None
            started = self.clock()
            result = self._invoke(spec, messages, timeout=min(self.config.call_timeout, left))
            record: dict[str, Any] = {
                "provider": spec.name,
                "purpose": purpose,
                "attempt": attempt + 1,
                "outcome": result.kind,
                "status": result.status,
                "prompt": self.prompt.ref if self.prompt else None,
                "at_ms": round((started - turn.started) * 1000, 1),
                "ms": round((self.clock() - started) * 1000, 1),
            }
            turn.calls.append(record)
            if result.message is not None:
                breaker.success()
                record.update(self._usage(spec, result.message))
                return text_of(result.message)
            breaker.failure()
            log.warning(
                "model call failed",
                extra={"provider": spec.name, "outcome": result.kind, "status": result.status, "attempt": attempt + 1},
            )
            if not result.retryable or attempt == self.config.max_retries:
                return None
            wait = self.backoff.delay(attempt, retry_after=result.retry_after)
            if wait > self._deadline_left(turn) - MIN_CALL_SECONDS:
                record["gave_up"] = "retry_after_past_deadline"
                return None
            self.sleep(wait)
        return None

    def _invoke(self, spec: ProviderSpec, messages: list[BaseMessage], *, timeout: float) -> Attempt:
        model = self._models.get(spec.name)
        if model is None:
            return Attempt(kind="not_configured")
        assert self._pool is not None
        future = self._pool.submit(model.invoke, messages)
        try:
            message = future.result(timeout=timeout)
        except FutureTimeout:
            future.cancel()
            return Attempt(kind="timeout", retryable=True)
        except Exception as exc:
            return classify(exc)
        if not isinstance(message, AIMessage) or not text_of(message).strip():
            return Attempt(kind="malformed")
        return Attempt(message=message)

    def _usage(self, spec: ProviderSpec, message: AIMessage) -> dict[str, Any]:
        usage = message.usage_metadata
        tokens_in = int(usage["input_tokens"]) if usage else 0
        tokens_out = int(usage["output_tokens"]) if usage else 0
        usd, listed = self.prices.cost(spec.provider, spec.model, input_tokens=tokens_in, output_tokens=tokens_out)
        return {"input_tokens": tokens_in, "output_tokens": tokens_out, "cost_usd": usd, "priced": listed}

    def _retry_text(self, findings: list[Finding]) -> str:
        assert self.prompt is not None
        return self.prompt.retry.format(reasons="; ".join(f.detail for f in findings))
