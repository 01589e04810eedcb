"""A conversation a person owns: which messages are still answered at once, and when a waiting guest is told.

An emergency is answered whoever owns the conversation (the safety guidance leaves as a system message and the
escalation is raised by record). Anything else is recorded for staff; a guest nobody from the team has written
to for `HANDOFF_ACK_MINUTES` (since the hand-off or the last staff message) hears that their message is with the
team, at most once per `HANDOFF_ACK_INTERVAL_MINUTES`: a guest waiting for a person is never left in silence.
"""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from concierge.conversation import service as conversation_service
from concierge.conversation import traces
from concierge.conversation.models import Author, Conversation
from concierge.i18n import gettext_for
from concierge.turn.result import Verdict
from concierge.turn.state import TurnState
from escalation import service as escalation_service
from escalation.models import Urgency

EMERGENCY_TOPIC = "emergency"  # the property's own emergency entry: the one entry quoted after safety guidance


def is_emergency(state: TurnState) -> bool:
    """Whether screening recognised an emergency in this message."""
    return state.get("verdict") == Verdict.screened and state.get("urgency") == Urgency.emergency


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def team_last_seen(session: Session, *, conversation_id: int) -> datetime | None:
    """The later of the hand-off and the last staff message.

    The hand-off is when the latest escalation opened or was claimed; a conversation taken over without one was
    handed off after the bot's last message, which bounds it.
    """
    moments = [
        conversation_service.last_written_at(
            session, conversation_id=conversation_id, authors=[Author.staff, Author.bot]
        )
    ]
    escalation = escalation_service.latest(session, conversation_id=conversation_id)
    if escalation is not None:
        moments += [escalation.created_at, escalation.claimed_at]
    known = [_aware(m) for m in moments if m is not None]
    return max(known) if known else None


def acknowledgement_due(
    session: Session, *, conversation: Conversation, now: datetime, after_minutes: float, interval_minutes: float
) -> bool:
    """Whether the waiting guest should hear "your message is with our team" now."""
    assert conversation.id is not None
    seen = team_last_seen(session, conversation_id=conversation.id)
    if seen is not None and now - seen < timedelta(minutes=after_minutes):
        return False  # the hand-off notice or a person's message is recent: nothing to add
    return not traces.replied_since(
        session,
        conversation_id=conversation.id,
        verdict=Verdict.waiting,
        since=now - timedelta(minutes=interval_minutes),
    )


def acknowledgement(language: str | None) -> str:
    """The waiting guest's acknowledgement, in their language."""
    _ = gettext_for(language)
    return _("Your message is with our team, and a person will reply to you here as soon as they can.")
