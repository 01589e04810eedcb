"""What a model is given for a turn and what its reply is checked against: the facts, the messages, the context."""

from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from concierge.guard.output import OutputContext
from concierge.guard.secrets import Access
from concierge.i18n import language_name
from concierge.llm import offline
from concierge.llm.prompts import Prompt
from concierge.llm.types import ResponseRequest


def facts_entries(request: ResponseRequest) -> list[dict[str, Any]]:
    """The entries a model may see: selected and related, sensitive ones only with access."""
    seen: set[str] = set()
    chosen = []
    for entry in [*request.entries, *request.related]:
        if entry["topic"] in seen or (entry.get("sensitive") and request.access is not Access.allowed):
            continue
        seen.add(entry["topic"])
        chosen.append(entry)
    return chosen


def output_context(request: ResponseRequest) -> OutputContext:
    """What a model's reply is checked against: the facts it was given, secrets, the published policy."""
    given = facts_entries(request)
    grounding = [text for e in given for text in e["content"].values()]
    grounding += [e["title"] for e in given]
    grounding += list((request.reservation or {}).values())
    secrets = []
    if request.access is not Access.allowed:
        secrets = [t for e in request.knowledge if e.get("sensitive") for t in e["content"].values()]
    policy = [t for e in request.knowledge if not e.get("sensitive") for t in e["content"].values()]
    return OutputContext(
        grounding=grounding,
        secrets=secrets,
        policy=policy,
        language=request.language,
        quoted=[request.text],  # the guest may be quoted back ("you asked about room 3")
    )


def facts_text(request: ResponseRequest) -> str:
    """The facts block of the prompt: one line per entry the model may see, and the guest's booking."""
    lines = []
    for entry in facts_entries(request):
        text, _language = offline.entry_text(entry, request.language)
        lines.append(f"- {entry['title']}: {text}")
    if request.reservation:
        booking = ", ".join(f"{key} {value}" for key, value in request.reservation.items())
        lines.append(f"- This guest's booking: {booking}")
    return "\n".join(lines)


def build_messages(prompt: Prompt, request: ResponseRequest) -> list[BaseMessage]:
    """The chat messages of a grounded-reply call: the system prompt with the facts, then the guest's message."""
    system = prompt.system.format(
        property_name=request.property_name,
        language=request.language,
        language_name=language_name(request.language, in_language="en"),
        facts=facts_text(request),
    )
    return [SystemMessage(system), HumanMessage(prompt.user.format(message=request.text))]
