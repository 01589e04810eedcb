"""One provider call's outcome: a reply, or the kind of error and whether (and when) to retry it."""

from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage

from concierge.core.backoff import parse_retry_after
from concierge.llm import answers
from concierge.llm.answers import Answer
from concierge.llm.structured import parse, parse_text


@dataclass
class Attempt:
    """What one provider call produced: a reply, or the error kind and whether to retry it."""

    message: AIMessage | None = None
    kind: str = "ok"
    answer: Answer | None = None  # what the router reads in the message
    status: int | None = None
    retryable: bool = False
    retry_after: float | None = None


def text_of(message: AIMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)


def classify(exc: Exception) -> Attempt:
    """Turn a provider SDK's exception into an outcome: only 429, 5xx and timeouts are retried."""
    if isinstance(exc, TimeoutError) or "Timeout" in type(exc).__name__:
        return Attempt(kind="timeout", retryable=True)
    status = getattr(exc, "status_code", None)
    if not isinstance(status, int):
        code = getattr(exc, "code", None)
        status = code if isinstance(code, int) else None
    if status is None:
        name = type(exc).__name__
        kind = (
            "connection"
            if "Connection" in name
            else ("malformed" if "Validation" in name or "JSON" in name else "error")
        )
        return Attempt(kind=kind)
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    if status == 429:
        return Attempt(kind="rate_limited", status=status, retryable=True, retry_after=retry_after_of(headers))
    if status >= 500:
        return Attempt(kind="server_error", status=status, retryable=True, retry_after=retry_after_of(headers))
    text = str(exc).lower()
    if status in (404, 410) or "deprecat" in text or "model_not_found" in text:
        return Attempt(kind="model_unavailable", status=status)
    if status in (401, 403):
        return Attempt(kind="auth", status=status)
    return Attempt(kind="client_error", status=status)


def retry_after_of(headers: Any) -> float | None:
    """Seconds from `retry-after-ms` or `Retry-After` (seconds or an HTTP date)."""
    try:
        if headers.get("retry-after-ms"):
            return float(headers["retry-after-ms"]) / 1000
        value = headers.get("retry-after")
        return parse_retry_after(str(value)) if value else None
    except (TypeError, ValueError):
        return None


def read(result: Any, *, structured: bool) -> Attempt:
    """The answer in a provider's result: structured (native, or JSON in its text) or text; invalid is malformed."""
    message = result.get("raw") if isinstance(result, dict) else result
    if not isinstance(message, AIMessage):
        return Attempt(kind="malformed")
    if not structured:
        text = text_of(message)
        if not text.strip():
            return Attempt(kind="malformed")
        return Attempt(message=message, answer=answers.from_text(text))
    parsed = parse(result.get("parsed")) if isinstance(result, dict) else None
    parsed = parsed or parse_text(text_of(message))  # a provider that wrote the JSON as text
    if parsed is None:
        return Attempt(kind="malformed")
    return Attempt(message=message, answer=answers.from_structured(parsed, parsed.model_dump_json()))
