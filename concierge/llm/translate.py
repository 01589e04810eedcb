"""Translation lines for staff: the configured model providers, in order, under one short deadline.

The offline responder cannot translate, so with `LLM_PROVIDERS=offline` there is no translator at all. A page
asks for several messages at once; they run in parallel and whatever is not back by the deadline is reported
as unavailable (the page shows the original only). Bodies are never logged.
"""

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from concierge.core.settings import Settings
from concierge.i18n import language_name
from concierge.llm.prompts import Prompt, load_prompt
from concierge.llm.providers import ProviderSpec, build_chat_model, parse_specs

log = logging.getLogger(__name__)

PROMPT_ID = "translate_message"


@dataclass(frozen=True)
class Translation:
    text: str
    provider: str  # "provider:model"


@dataclass(frozen=True)
class Request:
    key: int  # the caller's id for it (a message id)
    text: str
    source: str
    target: str


class Translator:
    """Translates short texts with the first provider that answers; never raises to the caller."""

    def __init__(self, specs: list[ProviderSpec], models: dict[str, Any], *, timeout: float) -> None:
        self.specs = specs
        self.models = models
        self.timeout = timeout
        self.prompt: Prompt = load_prompt(PROMPT_ID)
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="translate")

    @classmethod
    def from_settings(
        cls, settings: Settings, *, model_factory: Callable[[ProviderSpec], Any] | None = None
    ) -> "Translator | None":
        """The translator for `LLM_PROVIDERS`, or None when only the offline responder is configured."""
        specs = parse_specs(settings.llm_providers)
        if not specs:
            return None
        timeout = settings.console_translate_timeout_seconds
        factory = model_factory or (lambda spec: build_chat_model(spec, settings, timeout=timeout))
        return cls(specs, {spec.name: factory(spec) for spec in specs}, timeout=timeout)

    def close(self) -> None:
        """Wait for the calls still running (each bounded by the timeout), so none outlives the app that made it."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def translate_many(self, requests: list[Request]) -> dict[int, Translation]:
        """The translations that came back within the deadline, by key; missing keys failed or were too slow."""
        if not requests:
            return {}
        futures = {self._pool.submit(self._one, r): r.key for r in requests}
        done, late = wait(futures, timeout=self.timeout)
        for future in late:
            future.cancel()
        found = {futures[f]: result for f in done if (result := f.result()) is not None}
        if len(found) < len(requests):
            log.warning("translations unavailable", extra={"asked": len(requests), "answered": len(found)})
        return found

    def _one(self, request: Request) -> Translation | None:
        deadline = time.monotonic() + self.timeout
        for spec in self.specs:
            if time.monotonic() >= deadline:
                return None
            try:
                message = self.models[spec.name].invoke(self._messages(request))
            except Exception as exc:  # any provider error: the next one, or no line
                log.info("translation call failed", extra={"provider": spec.name, "error": type(exc).__name__})
                continue
            text = _text(message).strip() if isinstance(message, AIMessage) else ""
            if text:
                return Translation(text=text, provider=spec.name)
        return None

    def _messages(self, request: Request) -> list[BaseMessage]:
        system = self.prompt.system.format(
            source=request.source,
            source_name=language_name(request.source, in_language="en"),
            target=request.target,
            target_name=language_name(request.target, in_language="en"),
        )
        return [SystemMessage(system), HumanMessage(self.prompt.user.format(message=request.text))]


def _text(message: AIMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
