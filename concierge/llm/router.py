"""The responder router: the configured providers in order, the offline responder as the last resort."""

import logging

from concierge.errors import DomainError
from concierge.llm import offline
from concierge.llm.types import ResponseRequest, TurnResponse

log = logging.getLogger(__name__)

KNOWN_PROVIDERS = ("offline",)


class UnsupportedProvider(DomainError):
    """`LLM_PROVIDERS` names a provider this version cannot use."""


def parse_providers(spec: str) -> list[str]:
    """`LLM_PROVIDERS` as a list; raises UnsupportedProvider for providers this version does not ship."""
    names = [item.strip() for item in spec.split(",") if item.strip()] or ["offline"]
    for name in names:
        if name.split(":", 1)[0] not in KNOWN_PROVIDERS:
            raise UnsupportedProvider(
                f"LLM_PROVIDERS: provider {name!r} is not available in this version; use 'offline'"
            )
    return names


class Router:
    """Tries each provider in turn; the offline grounded responder always answers last."""

    def __init__(self, providers: list[str]) -> None:
        self.providers = providers

    def respond(self, request: ResponseRequest) -> TurnResponse:
        """A grounded reply for the request."""
        return offline.respond(request)
