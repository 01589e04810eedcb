"""Guard service: sender rate counts, private details to keep out of replies, the audit log of staff access."""

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from concierge.conversation.models import Conversation, Message
from concierge.users import audit
from concierge.users.audit import AuditEvent
from knowledge.models import Reservation, StaffMember

log = logging.getLogger(__name__)


def sender_addresses(guest_address: str) -> list[str]:
    """Every channel address of the same phone: SMS and WhatsApp count as one sender."""
    phone = guest_address.removeprefix("whatsapp:")
    return [phone, f"whatsapp:{phone}"]


def inbound_count(session: Session, *, guest_address: str, since: datetime, up_to_message_id: int) -> int:
    """Messages this sender wrote since `since`, up to and including this one (in arrival order)."""
    return session.exec(
        select(func.count(col(Message.id)))
        .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .where(
            col(Conversation.guest_address).in_(sender_addresses(guest_address)),
            Message.direction == "in",
            col(Message.created_at) >= since,
            col(Message.id) <= up_to_message_id,
        )
    ).one()


_NON_DIGITS = re.compile(r"\D+")


@dataclass(frozen=True)
class PrivateDetails:
    """What a reply to this sender must never contain, and the names the screen watches for."""

    guest_names: list[str]  # other reservations' guests
    staff_names: list[str]
    values: list[str]  # other guests' names and phones, staff phones: unless the owner published them


def private_details(
    session: Session, *, property_id: int, reservation_id: int | None, published: str
) -> PrivateDetails:
    """Other guests' and staff's details for this property; values the owner published in the KB are public."""
    others = session.exec(
        select(Reservation).where(Reservation.property_id == property_id, Reservation.id != reservation_id)
    ).all()
    staff = session.exec(select(StaffMember).where(StaffMember.property_id == property_id)).all()
    published_digits = _NON_DIGITS.sub("", published)  # the whole published text, every turn: one C-level pass
    names = watched_names([r.guest_name for r in others], published=published)
    values = names + [r.phone for r in others]
    values += [s.phone for s in staff if s.phone.lstrip("+")[-9:] not in published_digits]
    return PrivateDetails(
        guest_names=names,
        staff_names=sorted({s.name for s in staff}),
        values=values,
    )


MIN_SINGLE_NAME = 4  # letters: "Mar", "Sol", "Eva" alone are also words, and in passwords ("sol-y-mar-2024")


def name_pattern(name: str) -> re.Pattern[str]:
    """A name as whole words, any case: "Eva" is in "ask Eva", never in "Evans" or "Evaristo"."""
    words = [re.escape(w) for w in name.casefold().split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def watched_names(names: list[str], *, published: str) -> list[str]:
    """The guests' names a reply or a question is checked for: a single name shorter than MIN_SINGLE_NAME letters
    is not (a full name is), nor a name that the property's own published text uses (a street, a beach, a
    password)."""
    text = published.casefold()
    watched = set()
    for name in names:
        name = " ".join(name.split())
        if not name or (" " not in name and len(name) < MIN_SINGLE_NAME):
            continue
        if name_pattern(name).search(text) is None:
            watched.add(name)
    return sorted(watched)


def conversation_target(conversation_id: int) -> str:
    """The audit-log target naming a conversation."""
    return f"conversation:{conversation_id}"


def record_access(session: Session, *, user_id: int | None, action: str, conversation_id: int) -> AuditEvent:
    """Write one audit-log event for a person's access to a conversation (view, reply, take-over, …)."""
    event = audit.record(
        session, user_id=user_id, action=f"conversation.{action}", target=conversation_target(conversation_id)
    )
    log.info("conversation accessed", extra={"audit_id": event.id, "action": action})
    return event


def audit_log(session: Session, *, conversation_id: int) -> list[AuditEvent]:
    """Every recorded access to a conversation, oldest first."""
    return audit.events(session, target=conversation_target(conversation_id))
