"""What a responder is given and what it returns."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from concierge.guard.secrets import Access


class Responder(StrEnum):
    """Who wrote a reply whose text is ours (trace key "responder"); a model's reply names "provider:model"."""

    offline = "offline"  # the offline grounded responder: the knowledge entries themselves
    canned = "canned"  # a catalog string: greeting, thanks, clarifying question, technical problem
    guard = "guard"  # the guardrails' policy reply (refusal, hand-off, emergency guidance, rate limit)
    handoff = "handoff"  # the reply to a guest who asked for a person


class Route(StrEnum):
    """Why the router's responder answered (the trace's "llm.route")."""

    offline = "offline"  # no model is configured
    offline_error = "offline_error"  # the offline responder failed: the canned technical-problem reply
    policy = "policy"  # access details were asked outside the window: deterministic policy, never a model
    offline_first = "offline_first"  # the offline matcher was sure of one self-contained question
    no_context = "no_context"  # (no longer used: a model is given the whole knowledge base) kept for old traces
    budget = "budget"  # the property's daily model budget is spent
    model = "model"  # a model answered
    model_no_answer = "model_no_answer"  # the model said the knowledge base has no answer: offline answered
    output_rejected = "output_rejected"  # the model's reply failed the output check twice: offline answered
    fallback = "fallback"  # every provider failed: offline answered


# Routes that mean "a model should have answered but the offline responder did".
FALLBACK_ROUTES = frozenset({Route.fallback, Route.model_no_answer, Route.output_rejected})


@dataclass(frozen=True)
class ResponseRequest:
    text: str  # the guest's message
    language: str  # the turn's reply language, decided once
    entries: list[dict[str, Any]]  # the retrieved entries, best first
    property_name: str
    access: Access
    access_window_hours: int
    confidence: float = 1.0  # retrieval score of the best selected entry (offline-first skips the model above it)
    related: list[dict[str, Any]] = field(default_factory=list)  # weaker candidates a model may still use
    knowledge: list[dict[str, Any]] = field(default_factory=list)  # the whole published version (policy checks)
    reservation: dict[str, str] | None = None  # facts of the guest's own booking the model may repeat
    spent_today_usd: float = 0.0  # the property's model spend so far today (daily budget)
    # The conversation's last messages before this one, oldest first, as (author, text): "guest", "bot", "staff".
    history: list[tuple[str, str]] = field(default_factory=list)
    context_tokens: int = 6000  # LLM_CONTEXT_TOKENS: the knowledge budget of a model's prompt


@dataclass(frozen=True)
class TurnResponse:
    text: str
    entry_ids: list[str]
    responder: str  # a Responder, or "provider:model"
    escalate: str | None = None  # a reason when people must follow up
    calls: list[dict[str, Any]] = field(default_factory=list)  # model calls, for the trace
    checks: list[str] = field(default_factory=list)  # why model replies were rejected
    prompt: str | None = None  # "id@version" of the prompt used, when a model was asked
    chain: list[str] = field(default_factory=list)  # the provider chain configured for the turn
    route: str = Route.offline  # why this responder answered: a Route
    cost_usd: float = 0.0
    budget_exceeded: bool = False
    intent: str | None = None  # the model's structured intent: answer, clarify, no_answer, needs_person
