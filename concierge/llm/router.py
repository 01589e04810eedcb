"""The responder router: model providers in order, each behind retries and a circuit breaker, then offline.

A turn never waits on a provider past its deadline and never sends an unchecked model reply:

    offline answer computed first (it is the fallback and the offline-first fast path)
    skip models: no provider, sensitive refusal, the offline matcher sure of one self-contained question,
    daily budget spent (retrieval finding nothing is no reason: the model is given the whole knowledge base)
    for each provider whose breaker allows it:
        call with a timeout bounded by the turn deadline; retry 429/5xx/timeouts with jittered backoff
        (Retry-After honoured); any other error, and an answer that is not valid structured output, moves on
        to the next provider
        the reply passes the output check → sent; fails → asked again once with the reasons; fails → offline
        intent no_answer → the offline answer if the matcher is sure, else "a person will follow up";
        intent needs_person → the reply and an escalation for the request the model's reason names (reasons.py),
        never fewer escalations than screening decided
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
from concierge.llm import answers, offline, sureness
from concierge.llm.answers import Answer
from concierge.llm.attempts import Attempt, classify, read
from concierge.llm.breaker import CircuitBreaker, published_as
from concierge.llm.config import RouterConfig
from concierge.llm.cost import PriceTable, load_prices
from concierge.llm.prompting import build_messages, cache_marked, facts_entries, output_context
from concierge.llm.prompts import Prompt, load_prompt
from concierge.llm.providers import (
    KNOWN_PROVIDERS,
    ProviderSpec,
    UnsupportedProvider,
    build_chat_model,
    parse_specs,
)
from concierge.llm.reasons import escalation_reason
from concierge.llm.structured import structured_model
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
        # Prompt v2's structured answer, through each provider's native structured output or tool calling; a
        # model without either (None here) is asked for the JSON in its text.
        self._structured: dict[str, Any] = {}
        if self.prompt is not None and self.prompt.structured:
            for spec in self.specs:
                self._structured[spec.name] = structured_model(spec, self._models.get(spec.name))
        # Calls run on a pool so the turn deadline holds even when a socket timeout does not fire in time.
        self._pool = ThreadPoolExecutor(self.config.concurrent_calls, thread_name_prefix="llm") if self.specs else None

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
        for spec in self.specs:
            if self._deadline_left(turn) < MIN_CALL_SECONDS:
                turn.calls.append({"provider": spec.name, "outcome": "deadline"})
                continue
            messages = build_messages(self.prompt, request, json_in_text=self._json_in_text(spec))
            if spec.provider == "anthropic":
                messages = cache_marked(messages)
            answer = self._call(spec, turn, messages, purpose="answer")
            if answer is None:
                continue  # provider unavailable or its answer invalid: the next one
            if answer.unanswered:
                return self._finish(turn, self._unanswered(request, fallback), route="model_no_answer", answer=answer)
            findings = self._check(spec, turn, answer.text)
            if not findings:
                return self._finish(turn, self._model_response(spec, turn, answer), route="model", answer=answer)
            retry = [*messages, AIMessage(answer.raw), HumanMessage(self._retry_text(findings))]
            second = self._call(spec, turn, retry, purpose="regenerate")
            if second is not None and second.unanswered:
                return self._finish(turn, self._unanswered(request, fallback), route="model_no_answer", answer=second)
            if second is not None and not self._check(spec, turn, second.text):
                return self._finish(turn, self._model_response(spec, turn, second), route="model", answer=second)
            # Twice unsafe (or no second answer): the offline reply is correct; another model is not needed.
            return self._finish(turn, fallback, route="output_rejected")
        return self._finish(turn, fallback, route="fallback")

    def _json_in_text(self, spec: ProviderSpec) -> bool:
        """Whether this provider is asked for the structured answer as JSON in its text (no native support)."""
        return self.prompt is not None and self.prompt.structured and self._structured.get(spec.name) is None

    def _unanswered(self, request: ResponseRequest, fallback: TurnResponse) -> TurnResponse:
        """The model found no answer in the whole knowledge base: the offline answer only if the matcher is sure."""
        if fallback.entry_ids and sureness.sure_of_one(request, confidence=self.config.offline_confidence):
            return fallback
        return answers.hand_over(request)

    def _skip_reason(self, request: ResponseRequest, fallback: TurnResponse) -> str | None:
        if not self.specs:
            return "offline"
        if fallback.responder == "canned":
            return "offline_error"
        if request.access is not Access.allowed and any(e.get("sensitive") for e in request.entries):
            return "policy"  # access refusals are deterministic policy, never a model's wording
        if (
            self.config.offline_first
            and fallback.escalate is None
            and sureness.sure_of_one(request, confidence=self.config.offline_confidence)
        ):
            return "offline_first"
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

    def _model_response(self, spec: ProviderSpec, turn: _Turn, answer: Answer) -> TurnResponse:
        given = [e["topic"] for e in facts_entries(turn.request)]
        used = [t for t in answer.topics if t in given] if self.prompt and self.prompt.structured else given
        # The request the model's reason names, in words staff read ("the guest asks for a discount").
        escalate = (
            escalation_reason(answer.reason, language=turn.request.language)
            if answer.intent == "needs_person"
            else None
        )
        return TurnResponse(text=answer.text.strip(), entry_ids=used, responder=spec.name, escalate=escalate)

    def _finish(
        self,
        turn: _Turn,
        response: TurnResponse,
        *,
        route: str,
        budget_exceeded: bool = False,
        answer: Answer | None = None,
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
            intent=answer.intent if answer is not None else None,
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

    def _call(self, spec: ProviderSpec, turn: _Turn, messages: list[BaseMessage], *, purpose: str) -> Answer | None:
        """The provider's answer with retries on retryable errors; None when it gave no valid one in time."""
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
            if result.answer is not None and result.message is not None:
                breaker.success()
                record.update(self.prices.usage(spec.provider, spec.model, result.message.usage_metadata))
                return result.answer
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
        model = self._structured.get(spec.name) or self._models.get(spec.name)
        if model is None:
            return Attempt(kind="not_configured")
        assert self._pool is not None
        future = self._pool.submit(model.invoke, messages)
        try:
            result = future.result(timeout=timeout)
        except FutureTimeout:
            future.cancel()
            return Attempt(kind="timeout", retryable=True)
        except Exception as exc:
            return classify(exc)
        return read(result, structured=self.prompt is not None and self.prompt.structured)

    def _retry_text(self, findings: list[Finding]) -> str:
        assert self.prompt is not None
        return self.prompt.retry.format(reasons="; ".join(f.detail for f in findings))
