"""Guard service: sender rate counts, private details to keep out of replies, the audit log of staff access."""

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import CompoundSelect, bindparam, func, literal_column, union_all
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


# Built once, run every turn with bound values (building a statement cost more than running it, issue 22), as Core
# on the table columns: the same SQL without the ORM's execution path, and the two addresses of `sender_addresses`
# as two plain parameters rather than an expanding list (expanded anew at every execution).
_MESSAGES = cast(Any, Message).__table__.c
_CONVERSATIONS = cast(Any, Conversation).__table__.c
_INBOUND_COUNT = (
    select(func.count(_MESSAGES.id))
    .join_from(
        cast(Any, Message).__table__, cast(Any, Conversation).__table__, _CONVERSATIONS.id == _MESSAGES.conversation_id
    )
    .where(
        _CONVERSATIONS.guest_address.in_([bindparam("phone"), bindparam("whatsapp")]),
        _MESSAGES.direction == "in",
        _MESSAGES.created_at >= bindparam("since"),
        _MESSAGES.id <= bindparam("up_to"),
    )
)


def inbound_count(session: Session, *, guest_address: str, since: datetime, up_to_message_id: int) -> int:
    """Messages this sender wrote since `since`, up to and including this one (in arrival order)."""
    phone, whatsapp = sender_addresses(guest_address)
    params = {"phone": phone, "whatsapp": whatsapp, "since": since, "up_to": up_to_message_id}
    return int(session.connection().execute(_INBOUND_COUNT, params).scalar_one())


_NON_DIGITS = re.compile(r"\D+")


@dataclass(frozen=True)
class PrivateDetails:
    """What a reply to this sender must never contain, and the names the screen watches for."""

    guest_names: list[str]  # other reservations' guests
    staff_names: list[str]
    values: list[str]  # other guests' names and phones, staff phones: unless the owner published them


# The property's guests and staff in one statement, as plain rows: (is staff, reservation id, name, phone).
_PEOPLE: CompoundSelect[Any] = union_all(
    select(literal_column("0"), col(Reservation.id), col(Reservation.guest_name), col(Reservation.phone)).where(
        Reservation.property_id == bindparam("property_id")
    ),
    select(literal_column("1"), col(StaffMember.id), col(StaffMember.name), col(StaffMember.phone)).where(
        StaffMember.property_id == bindparam("property_id")
    ),
)


def private_details(
    session: Session, *, property_id: int, reservation_id: int | None, published: str
) -> PrivateDetails:
    """Other guests' and staff's details for this property; values the owner published in the KB are public."""
    people = session.connection().execute(_PEOPLE, {"property_id": property_id}).all()  # plain rows, no ORM path
    others = [(name, phone) for staff, row_id, name, phone in people if not staff and row_id != reservation_id]
    staff = [(name, phone) for is_staff, _id, name, phone in people if is_staff]
    published_digits = _NON_DIGITS.sub("", published)  # the whole published text, every turn: one C-level pass
    names = watched_names([name for name, _phone in others], published=published)
    values = names + [phone for _name, phone in others]
    values += [phone for _name, phone in staff if phone.lstrip("+")[-9:] not in published_digits]
    return PrivateDetails(
        guest_names=names,
        staff_names=sorted({name for name, _phone in staff}),
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
    return list(_watched_names(tuple(names), published))


@lru_cache(maxsize=64)  # every turn asks again with the property's guests and published text, which rarely change
def _watched_names(names: tuple[str, ...], published: str) -> tuple[str, ...]:
    text = published.casefold()
    watched = set()
    for name in names:
        name = " ".join(name.split())
        if not name or (" " not in name and len(name) < MIN_SINGLE_NAME):
            continue
        if name_pattern(name).search(text) is None:
            watched.add(name)
    return tuple(sorted(watched))


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
