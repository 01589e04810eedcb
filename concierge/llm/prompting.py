"""What a model is given for a turn and what its reply is checked against: the knowledge, the messages, the context."""

from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from concierge.guard.output import OutputContext
from concierge.guard.secrets import Access
from concierge.i18n import language_name
from concierge.llm import context
from concierge.llm.prompts import Prompt
from concierge.llm.structured import json_instructions
from concierge.llm.types import ResponseRequest

STAFF_PREFIX = "(from our staff) "


def knowledge_of(request: ResponseRequest) -> context.Knowledge:
    """The knowledge block a model is given for this request (the whole knowledge base, within the budget)."""
    return context.knowledge(request, budget=request.context_tokens)


def facts_entries(request: ResponseRequest) -> list[dict[str, Any]]:
    """The entries a model is given in full: every entry in effect within the budget, sensitive ones with access."""
    return knowledge_of(request).given


def output_context(request: ResponseRequest) -> OutputContext:
    """What a model's reply is checked against: what it was given, secrets, the published policy."""
    given = facts_entries(request)
    grounding = [text for e in given for text in e["content"].values()]
    grounding += [e["title"] for e in request.knowledge]
    grounding += list((request.reservation or {}).values())
    grounding += [text for author, text in request.history if author == "staff"]
    secrets = []
    if request.access is not Access.allowed:
        secrets = [t for e in request.knowledge if e.get("sensitive") for t in e["content"].values()]
    policy = [t for e in request.knowledge if not e.get("sensitive") for t in e["content"].values()]
    return OutputContext(
        grounding=grounding,
        secrets=secrets,
        policy=policy,
        language=request.language,
        # The guest may be quoted back ("you asked about room 3"), from this message or an earlier one.
        quoted=[request.text, *(text for author, text in request.history if author == "guest")],
    )


def booking_text(request: ResponseRequest) -> str:
    """The guest's booking facts as one line (or a line saying the sender has no booking)."""
    if not request.reservation:
        return "This sender has no booking on record."
    return "This guest's booking: " + ", ".join(f"{key} {value}" for key, value in request.reservation.items()) + "."


def facts_text(request: ResponseRequest) -> str:
    """The facts block of prompt version 1: the knowledge, then the guest's booking."""
    return knowledge_of(request).text + "\n- " + booking_text(request)


def history_messages(request: ResponseRequest) -> list[BaseMessage]:
    """The conversation's last messages as chat turns (access details this guest may not see taken out)."""
    turns: list[BaseMessage] = []
    for author, text in request.history:
        text = context.redact(text, request)
        if author == "guest":
            turns.append(HumanMessage(text))
        else:
            turns.append(AIMessage(STAFF_PREFIX + text if author == "staff" else text))
    return turns


def cache_marked(messages: list[BaseMessage]) -> list[BaseMessage]:
    """The messages with the system prompt marked as a prompt-cache breakpoint (Anthropic caches only what is
    marked; OpenAI and others cache long stable prefixes on their own)."""
    if not messages or not isinstance(messages[0], SystemMessage) or not isinstance(messages[0].content, str):
        return messages
    block = {"type": "text", "text": messages[0].content, "cache_control": {"type": "ephemeral"}}
    return [SystemMessage(content=[block]), *messages[1:]]


def build_messages(prompt: Prompt, request: ResponseRequest, *, json_in_text: bool = False) -> list[BaseMessage]:
    """The chat messages of a grounded-reply call: the stable system prompt, the conversation, the latest message.

    `json_in_text` adds the answer's JSON schema for a provider without native structured output."""
    block = knowledge_of(request).text
    values = {
        "property_name": request.property_name,
        "language": request.language,
        "language_name": language_name(request.language, in_language="en"),
        "knowledge": block,
        "facts": block + "\n- " + booking_text(request),
        "booking": booking_text(request),
        "message": request.text,
    }
    system = prompt.system.format(**values)
    if json_in_text:
        system += "\n\n" + json_instructions()
    return [SystemMessage(system), *history_messages(request), HumanMessage(prompt.user.format(**values))]
