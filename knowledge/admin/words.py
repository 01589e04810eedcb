"""The version history in words: "import: ~check_in" becomes "Imported from a pack. Changed: check-in.", and
publication times are shown in the owner's locale at the property's clock."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from concierge.i18n import N_, gettext_for
from concierge.i18n.topics import topic_label
from knowledge.models import Property
from knowledge.service import IMPORT_SUMMARY

# The preview's decision and access verdict, in words (concierge/turn/result.py Decision, guard/secrets.py Access).
DECISIONS = {
    "reply": N_("The concierge replies."),
    "reply_escalate": N_("The concierge replies and hands the conversation to your team."),
    "escalate": N_("No reply: the conversation goes to your team."),
    "record_only": N_("No reply: the message is kept for your team."),
    "acknowledge": N_("The guest is only told that your team has the message."),
}
ACCESS = {
    "allowed": N_("This guest may get the door code now."),
    "too_early": N_("Booked, but the access window has not opened yet: no door code."),
    "ended": N_("The stay has ended: no door code."),
    "no_reservation": N_("No booking for this number: no door code."),
}
_KINDS = (("+", N_("Added: %(topics)s.")), ("~", N_("Changed: %(topics)s.")), ("-", N_("Removed: %(topics)s.")))


def summary_text(summary: str, *, language: str) -> str:
    """A version's summary as sentences in `language` (the stored summary stays the CLI's compact form)."""
    _ = gettext_for(language)
    parts = []
    rest = summary
    if rest.startswith(IMPORT_SUMMARY):
        parts.append(_("Imported from a pack."))
        rest = rest.removeprefix(IMPORT_SUMMARY)
    rollback = re.fullmatch(r"rollback to v(\d+)", rest.strip())
    if rollback:
        return " ".join([*parts, _("Rolled back to version %(version)s.", version=rollback.group(1))])
    if rest.strip() == "no changes":
        return " ".join([*parts, _("No changes.")])
    tokens = rest.split()
    for sign, sentence in _KINDS:
        topics = [topic_label(t[1:], language=language) for t in tokens if t.startswith(sign) and len(t) > 1]
        if topics:
            parts.append(_(sentence, topics=", ".join(topics)))
    return " ".join(parts) or summary


def when(moment: datetime, *, prop: Property, language: str) -> str:
    """A date and time in the owner's locale at the property's clock ("2 dic 2026, 8:15")."""
    return format_datetime(moment, "medium", tzinfo=ZoneInfo(prop.timezone), locale=language)


def verdict(value: str | None, table: dict[str, str], *, language: str) -> str:
    """A preview's decision or access verdict as a sentence ("" when there is none)."""
    if not value:
        return ""
    return gettext_for(language)(table[value]) if value in table else value


def topic_names(topics: list[str], *, language: str) -> str:
    """Topics in the reader's words, joined ("check-in times, parking")."""
    return ", ".join(topic_label(t, language=language) for t in topics)
