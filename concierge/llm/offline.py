"""The offline responder: answers with the knowledge entries themselves, in the guest's language."""

from typing import Any

from concierge.guard.secrets import Access
from concierge.i18n import gettext_for, language_name
from concierge.llm.types import Responder, ResponseRequest, TurnResponse
from knowledge.policy import POLICY_TOPICS
from knowledge.sentences import answering_sentences

# Policy entries are quoted whole: a sentence out of its conditions ("half of the price is refunded") reads as a
# promise. Access entries too: the code and how to use it belong together.
WHOLE_TOPICS = frozenset({"access", *(topic for topics in POLICY_TOPICS.values() for topic in topics)})
SHORT_QUESTION_WORDS = 8  # a question this short asks one thing: long entries are trimmed to what answers it
FALLBACK_LANGUAGE = "en"  # what most guests read when the entry lacks their language


def entry_text(entry: dict[str, Any], language: str) -> tuple[str, str]:
    """The entry's content in `language`, else in English, else in its original (first) language; returns
    (text, language)."""
    content: dict[str, str] = entry["content"]
    for choice in (language, FALLBACK_LANGUAGE):
        if choice in content:
            return content[choice], choice
    original = next(iter(content))
    return content[original], original


def respond(request: ResponseRequest) -> TurnResponse:
    """Compose the reply from the selected entries; sensitive ones only when the secrets policy allows."""
    _ = gettext_for(request.language)
    parts: list[str] = []
    used: list[str] = []
    escalate: str | None = None
    for entry in request.entries:
        if entry.get("sensitive") and request.access is not Access.allowed:
            parts.append(_access_refusal(request))
            escalate = escalate or ("access_request" if request.access is Access.no_reservation else None)
            continue
        text, text_language = entry_text(entry, request.language)
        if entry["topic"] not in WHOLE_TOPICS and len(request.text.split()) <= SHORT_QUESTION_WORDS:
            text = answering_sentences(text, request.text)  # "and the password?": that sentence, not the entry
        if text_language != request.language:
            name = language_name(text_language, in_language=request.language)
            text = _("This information is only available in %(language)s:", language=name) + "\n" + text
        parts.append(text)
        used.append(entry["topic"])
    if not parts:
        return TurnResponse(
            text=_("Sorry, I don't have that information. A member of our team will follow up with you shortly."),
            entry_ids=[],
            responder=Responder.offline,
            escalate="no_answer",
        )
    return TurnResponse(text="\n\n".join(parts), entry_ids=used, responder=Responder.offline, escalate=escalate)


def _access_refusal(request: ResponseRequest) -> str:
    _ = gettext_for(request.language)
    if request.access is Access.too_early:
        return _(
            "For your security, access details are sent to the phone number on the booking from "
            "%(hours)s hours before check-in. Write to me again then and I will share them.",
            hours=request.access_window_hours,
        )
    if request.access is Access.ended:
        return _("Your stay has ended, so I can no longer share access details.")
    return _(
        "For your security, I can only share access details with the phone number on the booking. "
        "A member of our team will follow up with you."
    )
