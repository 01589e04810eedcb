"""Model providers as LangChain chat models, built from `LLM_PROVIDERS` and the providers' own settings.

Each provider's package is imported only when a configured provider needs it, so an offline deployment
never loads an SDK. DeepSeek, Ollama and any OpenAI-compatible server (vLLM, Groq, OpenRouter …) speak
the OpenAI chat API and go through `ChatOpenAI` with their base URL.
"""

from dataclasses import dataclass
from typing import Any

from concierge.core.errors import DomainError
from concierge.core.settings import Settings, reveal

OFFLINE = "offline"
MODEL_PROVIDERS = ("openai", "anthropic", "gemini", "deepseek", "ollama", "compatible")
KNOWN_PROVIDERS = (OFFLINE, *MODEL_PROVIDERS)


class UnsupportedProvider(DomainError):
    """`LLM_PROVIDERS` names a provider this version cannot use, or one that lacks its settings."""


@dataclass(frozen=True)
class ProviderSpec:
    provider: str  # "openai", "anthropic", …
    model: str

    @property
    def name(self) -> str:
        """ "provider:model", as written in `LLM_PROVIDERS` and recorded on traces."""
        return f"{self.provider}:{self.model}"


def parse_specs(spec: str) -> list[ProviderSpec]:
    """The model providers of `LLM_PROVIDERS`, in order (`offline` is implied as the last resort)."""
    found: list[ProviderSpec] = []
    for item in (part.strip() for part in spec.split(",")):
        if not item or item == OFFLINE:
            continue
        provider, _, model = item.partition(":")
        if provider not in MODEL_PROVIDERS:
            raise UnsupportedProvider(
                f"LLM_PROVIDERS: unknown provider {provider!r}; use one of {', '.join(KNOWN_PROVIDERS)}"
            )
        if not model:
            raise UnsupportedProvider(f"LLM_PROVIDERS: {item!r} needs a model, like {provider}:MODEL")
        found.append(ProviderSpec(provider, model))
    return found


def _require(value: str | None, variable: str, spec: ProviderSpec) -> str:
    if not value:
        raise UnsupportedProvider(f"LLM_PROVIDERS: {spec.name} needs {variable}")
    return value


def build_chat_model(spec: ProviderSpec, settings: Settings, *, timeout: float) -> Any:
    """A LangChain chat model for one provider; SDK retries are off because the router retries."""
    common: dict[str, Any] = {"model": spec.model, "timeout": timeout, "max_retries": 0, "temperature": 0.2}
    # Settings are checked before the SDK is imported, so a missing key fails fast and names its variable.
    if spec.provider in ("openai", "deepseek", "ollama", "compatible"):
        if spec.provider == "openai":
            # A base URL without a key is a local OpenAI-compatible server that ignores keys.
            key = reveal(settings.openai_api_key) or ("unused" if settings.openai_base_url else None)
            api_key, base_url = _require(key, "OPENAI_API_KEY", spec), settings.openai_base_url
        elif spec.provider == "deepseek":
            api_key = _require(reveal(settings.deepseek_api_key), "DEEPSEEK_API_KEY", spec)
            base_url = settings.deepseek_base_url
        elif spec.provider == "ollama":
            api_key, base_url = "ollama", settings.ollama_base_url.rstrip("/") + "/v1"
        else:
            base_url = _require(settings.llm_compatible_base_url, "LLM_COMPATIBLE_BASE_URL", spec)
            api_key = reveal(settings.llm_compatible_api_key) or "unused"
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            **common, api_key=api_key, base_url=base_url, max_completion_tokens=400, use_responses_api=False
        )
    if spec.provider == "anthropic":
        api_key = _require(reveal(settings.anthropic_api_key), "ANTHROPIC_API_KEY", spec)
        from langchain_anthropic import ChatAnthropic

        return ChatAnthropic(**common, api_key=api_key, base_url=settings.anthropic_base_url, max_tokens=400)
    if spec.provider == "gemini":
        api_key = _require(reveal(settings.google_api_key), "GOOGLE_API_KEY", spec)
        options: dict[str, Any] = {"base_url": settings.google_base_url} if settings.google_base_url else {}
        from langchain_google_genai import ChatGoogleGenerativeAI

        return ChatGoogleGenerativeAI(**common, google_api_key=api_key, max_output_tokens=400, **options)
    raise UnsupportedProvider(f"LLM_PROVIDERS: unknown provider {spec.provider!r}")
