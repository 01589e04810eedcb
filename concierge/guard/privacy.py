"""Guard service: sender rate counts, private details to keep out of replies, the audit log of staff access."""

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import CompoundSelect, bindparam, literal_column, union_all
from sqlmodel import Session, col, select

from concierge.users import audit
from concierge.users.audit import AuditEvent
from knowledge.models import Reservation, StaffMember

log = logging.getLogger(__name__)


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
