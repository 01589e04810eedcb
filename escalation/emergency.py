"""An emergency in a conversation people own, and the notice a turn's reply carries after its safety guidance.

While a person owns the conversation an emergency is still answered (turn/record.py); here its escalation becomes
an emergency, the on-call staff are alerted again at once (a new round, not a "nobody has replied" reminder) and
the SLA clock restarts. A reply that leaves with an escalation carries any "a person is on the way" notice after
its own text, so the notice never arrives before the safety instructions.
"""

import logging
from datetime import datetime

from sqlmodel import Session

from concierge.conversation.models import Conversation
from concierge.i18n import gettext_for
from escalation import notify, service
from escalation.models import Escalation, EscalationStatus, Urgency

log = logging.getLogger(__name__)


def raise_to_emergency(
    session: Session, *, conversation: Conversation, message_id: int | None, reason: str, detail: str, now: datetime
) -> Escalation:
    """The conversation's escalation becomes an emergency, staff are alerted again and the SLA clock restarts; a
    claimed one waits to be claimed again (a staff reply does that). Opens one when there is none."""
    assert conversation.id is not None
    current = service.unresolved(session, conversation_id=conversation.id)
    if current is None:  # a person took the chat without an escalation (emergencies are never "settled")
        opened = service.open_escalation(
            session,
            conversation=conversation,
            message_id=message_id,
            reason=reason,
            detail=detail,
            urgency=Urgency.emergency,
            now=now,
            tell_guest=False,
        )
        assert opened is not None
        return opened
    entry = {"reason": reason, "message_id": message_id, "at": now.isoformat(), "urgency": Urgency.emergency.value}
    current.reasons = [*current.reasons, {**entry, "was": current.urgency}]
    current.urgency = Urgency.emergency
    current.status = EscalationStatus.open  # the SLA runs (reminders, the next staff member) until claimed again
    notify.send_round(session, escalation=current, now=now, tell_guest=False, reminder=False)
    session.flush()
    log.info("escalation raised to emergency", extra={"escalation_id": current.id, "reason": reason})
    return current


def guest_notice(escalation: Escalation, *, language: str | None, now: datetime) -> str:
    """The "a person is on the way" notice a notification round owes the guest (marked told), else ""."""
    if escalation.notify_round <= 1 or escalation.guest_told_at is not None:
        return ""
    escalation.guest_told_at = now
    _ = gettext_for(language)
    return _("I have alerted our team again and a person is on the way. Thank you for your patience.")
