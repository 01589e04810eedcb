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


@dataclass(frozen=True)
class TurnResponse:
    text: str
    entry_ids: list[str]
    responder: str  # "offline" or "provider:model"
    escalate: str | None = None  # a reason when people must follow up
    calls: list[dict[str, Any]] = field(default_factory=list)  # model calls, for the trace
