"""What staff read on the console instead of internal values: who has a conversation, the queue's rows.

"staff:2" becomes "Claimed by marta@example.com", "unassigned-human" becomes "Waiting for a team member",
channels and languages get their names, times are shown in the reader's locale and the property's time zone.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlmodel import Session

from concierge.conversation import marks
from concierge.conversation.models import STAFF_PREFIX, Owner, staff_owner
from concierge.core.modelbase import utcnow
from concierge.i18n import N_, gettext_for, language_name
from concierge.users.models import User
from concierge.users.service import emails_of
from escalation import handoff, marking, notify
from escalation import queue as queue_service
from knowledge.models import Property

CHANNELS = {"sms": "SMS", "whatsapp": "WhatsApp"}  # brand names, the same in every language
SIMULATOR = N_("Guest simulator")


def people(session: Session, owners: set[str]) -> dict[str, str]:
    """Each "staff:<id>" among these owner values with the person's email address (one query)."""
    ids = {int(o.removeprefix(STAFF_PREFIX)) for o in owners if o.removeprefix(STAFF_PREFIX).isdigit()}
    return {staff_owner(str(i)): email for i, email in emails_of(session, user_ids=ids).items()}


def owner_text(owner: str, *, me: str, names: dict[str, str], language: str) -> str:
    """Who has the conversation, in a sentence: the concierge, a team member by name, you, or nobody yet."""
    _ = gettext_for(language)
    if owner == Owner.bot:
        return _("The concierge is answering")
    if owner == me:
        return _("Claimed by you")
    if owner in names:
        return _("Claimed by %(who)s", who=names[owner])
    return _("Waiting for a team member")


def channel_text(channel: str, language: str) -> str:
    """ "SMS", "WhatsApp", or the guest simulator in the reader's language."""
    return CHANNELS.get(channel) or gettext_for(language)(SIMULATOR)


def when(moment: datetime, *, prop: Property, language: str) -> str:
    """A short date and time in the reader's locale, at the property's clock ("2/12/26, 8:15")."""
    return format_datetime(moment, "short", tzinfo=ZoneInfo(prop.timezone), locale=language)


def _age(since: datetime, now: datetime) -> str:
    minutes = int((now - since).total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"


def queue_rows(session: Session, user: User, scope: dict[int, Property]) -> list[dict[str, Any]]:
    """The queue's rows for this reader: guest, channel, language, last message, reason and owner in words."""
    now, lang = utcnow(), user.language
    me = staff_owner(str(user.id))
    entries = queue_service.queue_entries(session, property_ids=list(scope))
    names = people(session, {entry.owner for entry in entries})
    rows = []
    for entry in entries:
        e, conversation = entry.escalation, entry.conversation
        prop = scope[e.property_id]
        rows.append(
            {
                "e": e,
                "property": prop.name,
                "guest": entry.guest_name or conversation.guest_address.removeprefix("whatsapp:"),
                "channel": channel_text(conversation.channel, lang),
                "language": language_name(conversation.language, in_language=lang) if conversation.language else "",
                "last": when(conversation.last_message_at, prop=prop, language=lang),
                "reason": notify.reason_label(entry.reason, lang),
                "urgency": notify.urgency_label(e.urgency, lang),
                "age": _age(e.created_at, now),
                "trigger": handoff.excerpt(entry.trigger, 90),
                "owner": owner_text(entry.owner, me=me, names=names, language=lang),
                "mine": entry.owner == me,
            }
        )
    return rows


VERDICTS = {  # in the order the form offers them
    marks.RIGHT: N_("Right"),
    marks.WRONG_TOPIC: N_("Wrong topic"),
    marks.WRONG_FACTS: N_("Wrong facts"),
    marks.HAND_OVER: N_("Should have handed over"),
    marks.ANSWER: N_("Should have answered with the entry chosen below"),
    marks.NO_ENTRY: N_("No entry answers this yet"),
    marks.GUEST: N_("Wrong, the guest said so"),
}
KINDS = {
    "answer": N_("answers with"),
    "person": N_("hands over to a person"),
    "unknown": N_("hands over, quoting no entry"),
}


def mark_context(session: Session, *, prop: Property, conversation_id: int) -> dict[str, Any]:
    """What the mark forms of a page need: the marks so far (and which of them are fixed), the verdicts, the
    property's entries."""
    assert prop.id is not None
    titles = marking.entry_titles(session, property_id=prop.id)  # in the version's order
    given = marks.marks_of(session, conversation_id=conversation_id)
    return {
        "marks": given,
        "fixed": marking.fixed_marks(session, prop=prop) if given else frozenset(),  # no query without marks
        "verdicts": VERDICTS,
        "staff_verdicts": marks.STAFF_VERDICTS,
        "entry_topics": list(titles),
        "entry_titles": titles,
    }
