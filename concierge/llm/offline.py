"""The offline responder: answers with the knowledge entries themselves, in the guest's language."""

from typing import Any

from concierge.guard.secrets import Access
from concierge.i18n import gettext_for, language_name
from concierge.llm.types import Responder, ResponseRequest, TurnResponse


def entry_text(entry: dict[str, Any], language: str) -> tuple[str, str]:
    """The entry's content in `language`, else in its original (first) language; returns (text, language)."""
    content: dict[str, str] = entry["content"]
    if language in content:
        return content[language], language
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
