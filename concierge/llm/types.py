"""What a responder is given and what it returns."""

from dataclasses import dataclass, field
from typing import Any

from concierge.guard.secrets import Access


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


@dataclass(frozen=True)
class TurnResponse:
    text: str
    entry_ids: list[str]
    responder: str  # "offline", "canned" or "provider:model"
    escalate: str | None = None  # a reason when people must follow up
    calls: list[dict[str, Any]] = field(default_factory=list)  # model calls, for the trace
    checks: list[str] = field(default_factory=list)  # why model replies were rejected
    prompt: str | None = None  # "id@version" of the prompt used, when a model was asked
    chain: list[str] = field(default_factory=list)  # the provider chain configured for the turn
    route: str = "offline"  # why this responder answered: "offline_first", "model", "fallback", "budget" …
    cost_usd: float = 0.0
    budget_exceeded: bool = False
