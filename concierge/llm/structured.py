"""The structured answer of prompt v2: the reply, the entries it used, an intent, and the reply's language.

Asked for through the provider's native structured output or tool calling (LangChain `with_structured_output`);
a provider without either is asked for the same JSON in its text, which is validated here. An answer that does
not validate is a failed call: the router moves on to the next provider, then to the offline responder.
"""

import json
import re
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

Intent = Literal["answer", "clarify", "no_answer", "needs_person"]
INTENTS: tuple[str, ...] = ("answer", "clarify", "no_answer", "needs_person")
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class GroundedReply(BaseModel):
    """The concierge's answer to the guest's latest message."""

    reply: str = Field(description="The text message to send to the guest (empty for no_answer).")
    topics: list[str] = Field(description="The [topic] names of the knowledge entries the reply uses.")
    intent: Intent = Field(
        description=(
            "answer: every question is answered from the knowledge; clarify: the reply asks what the guest means; "
            "no_answer: the knowledge does not answer it; needs_person: a member of the team must act or decide."
        )
    )
    reason: str = Field(description="Why a person is needed (for needs_person), otherwise an empty string.")
    language: str = Field(description="The ISO 639-1 code of the language the reply is written in.")


def parse_text(text: str) -> GroundedReply | None:
    """The answer in a JSON text (fenced or not, possibly with words around it); None when it does not validate."""
    stripped = _FENCE.sub("", text.strip())
    start, end = stripped.find("{"), stripped.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        return GroundedReply.model_validate(json.loads(stripped[start : end + 1]))
    except (ValueError, ValidationError):
        return None


def parse(value: object) -> GroundedReply | None:
    """A structured-output result (model, dict or JSON text) as a validated answer, or None."""
    if isinstance(value, GroundedReply):
        return value
    if isinstance(value, dict):
        try:
            return GroundedReply.model_validate(value)
        except ValidationError:
            return None
    if isinstance(value, str):
        return parse_text(value)
    return None


@cache
def json_instructions() -> str:
    """What a provider without structured output is told to write: the schema, as JSON in its text."""
    schema = json.dumps(GroundedReply.model_json_schema(), ensure_ascii=False)
    return f"Write your answer as one JSON object, and nothing else, following this JSON schema: {schema}"


# Providers whose OpenAI-compatible servers rarely implement JSON schemas: asked through tool calling instead.
_TOOL_CALLING = ("deepseek", "ollama", "compatible")


def structured_model(spec: Any, model: Any) -> Any:
    """The model bound to return a GroundedReply (with the raw message, for usage), or None without support."""
    if model is None:
        return None
    options: dict[str, Any] = {"include_raw": True}
    if spec.provider in _TOOL_CALLING:
        options["method"] = "function_calling"
    try:
        return model.with_structured_output(GroundedReply, **options)
    except (NotImplementedError, AttributeError, TypeError, ValueError):
        return None
