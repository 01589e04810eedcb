"""Prometheus metrics of turns, deliveries, escalations and model calls, and the recording API they share.

Counters are recorded after the turn's transaction commits, from the same `TurnResult` the trace is written from,
so a turn that is retried is counted once. Backlog gauges (outbox, unclaimed escalations) are computed at scrape
time by a collector that reads the database, so they are right even when several worker processes run.
"""

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from prometheus_client import Counter, Gauge, Histogram

log = logging.getLogger(__name__)

TURN_SECONDS = Histogram(
    "concierge_turn_seconds",
    "Time from claiming a turn job to its recorded decision",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20),
)
TURNS = Counter("concierge_turns_total", "Turns recorded", ["decision", "responder"])
MESSAGES_OUT = Counter("concierge_messages_out_total", "Replies accepted by the channel", ["channel", "author"])
DELIVERY_FAILURES = Counter("concierge_delivery_failures_total", "Replies given up on", ["channel", "code"])
ESCALATIONS = Counter("concierge_escalations_total", "Escalations opened by turns", ["reason"])
OUTPUT_CHECK_FAILURES = Counter(
    "concierge_output_check_failures_total", "Replies changed or blocked by the output checks", ["check"]
)
LLM_CALLS = Counter("concierge_llm_calls_total", "Model calls (and skipped calls) by outcome", ["provider", "outcome"])
LLM_ERRORS = Counter("concierge_llm_errors_total", "Model calls that did not return a usable reply", ["provider"])
LLM_FALLBACKS = Counter(
    "concierge_llm_fallbacks_total", "Turns answered by the offline responder after the models failed", ["route"]
)
LLM_COST = Counter("concierge_llm_cost_usd_total", "Model spend in USD", ["provider"])
# Across processes (`serve` and its worker child): the value last set by a live process.
LLM_BREAKER = Gauge(
    "concierge_llm_breaker_state",
    "Circuit breaker: 0 closed, 1 half-open, 2 open",
    ["provider"],
    multiprocess_mode="livemostrecent",
)

_BREAKER_VALUE = {"closed": 0, "half_open": 1, "open": 2}
_NOT_CALLED = frozenset({"ok", "breaker_open", "deadline"})


def record_model_call(*, provider: str, outcome: str, cost_usd: float = 0.0) -> None:
    """Count one model call; the router (or the turn's trace) calls this once per attempt."""
    LLM_CALLS.labels(provider, outcome).inc()
    if outcome not in _NOT_CALLED:
        LLM_ERRORS.labels(provider).inc()
    if cost_usd:
        LLM_COST.labels(provider).inc(cost_usd)


def set_breaker_state(*, provider: str, state: str) -> None:
    """Publish a provider's circuit-breaker state ("closed", "half_open" or "open")."""
    LLM_BREAKER.labels(provider).set(_BREAKER_VALUE.get(state, 2))


class _Escalation(Protocol):
    @property
    def reason(self) -> str: ...


class CountedTurn(Protocol):
    """What the turn counters read of a recorded turn: its `TurnResult` (concierge/turn/result.py)."""

    @property
    def decision(self) -> str: ...
    @property
    def responder(self) -> str | None: ...
    @property
    def escalation(self) -> _Escalation | None: ...
    @property
    def checks(self) -> Sequence[str]: ...
    @property
    def model_calls(self) -> Sequence[Mapping[str, Any]]: ...
    @property
    def fallback_route(self) -> str | None: ...


def record_turn(result: CountedTurn, *, seconds: float) -> None:
    """Count a recorded turn: its latency, decision, escalation, output-check failures and model calls."""
    TURN_SECONDS.observe(seconds)
    TURNS.labels(result.decision or "unknown", result.responder or "none").inc()
    if result.escalation:
        ESCALATIONS.labels(result.escalation.reason).inc()
    for check in result.checks:
        OUTPUT_CHECK_FAILURES.labels(str(check).split(":", 1)[0]).inc()
    for call in result.model_calls:
        record_model_call(
            provider=str(call.get("provider", "?")),
            outcome=str(call.get("outcome", "?")),
            cost_usd=float(call.get("cost_usd") or 0.0),
        )
    if result.fallback_route:
        LLM_FALLBACKS.labels(result.fallback_route).inc()


def record_escalation(reason: str) -> None:
    """Count an escalation opened outside a recorded turn (a turn that failed for good)."""
    ESCALATIONS.labels(reason).inc()


def record_delivery(*, channel: str, author: str | None, outcome: str, code: str | None = None) -> None:
    """Count a finished delivery attempt: "sent" replies by channel, "failed" ones by error code."""
    if outcome == "sent":
        MESSAGES_OUT.labels(channel, author or "?").inc()
    elif outcome == "failed":
        DELIVERY_FAILURES.labels(channel, code or "?").inc()
