"""Knowledge service: properties, packs, reservations and the published knowledge version."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, delete, select

from concierge.core.errors import Conflict, NotFound
from knowledge.models import KnowledgeVersion, Property, PropertyNumber, Reservation, ReservationPhone, StaffMember
from knowledge.pack import EntryIn, Pack, PropertyIn, ReservationIn, StaffIn, WhatsAppTemplateIn
from knowledge.policy import PolicyIn


def get_property(session: Session, *, slug: str) -> Property:
    """The property with this slug, or NotFound."""
    prop = session.exec(select(Property).where(Property.slug == slug)).first()
    if prop is None:
        raise NotFound(f"no property with slug {slug!r}")
    return prop


def local_date(prop: Property, *, now: datetime) -> date:
    """Today's date at the property (effective dates and stays are in its time zone)."""
    return now.astimezone(ZoneInfo(prop.timezone)).date()


def list_properties(session: Session) -> list[Property]:
    """All properties, by name."""
    return list(session.exec(select(Property).order_by(col(Property.name))))


def property_for_number(session: Session, *, number: str) -> Property | None:
    """The property guests reach at this number (as Twilio gives it in "To"), if any."""
    return session.exec(select(Property).join(PropertyNumber).where(PropertyNumber.number == number)).first()


def property_id_for_number(session: Session, *, number: str) -> int | None:
    """The id of the property guests reach at this number, without loading it (the webhook's path).

    A Core statement on the session's connection: the ORM's per-statement machinery was a sixth of the webhook's CPU.
    """
    return session.connection().execute(_PROPERTY_ID_FOR_NUMBER, {"number": number}).scalar()


_PROPERTY_ID_FOR_NUMBER = select(col(PropertyNumber.property_id)).where(
    col(PropertyNumber.number) == bindparam("number")
)


def property_numbers(session: Session, *, property_id: int) -> list[str]:
    """The numbers of a property, in the order they were imported."""
    rows = session.exec(
        select(PropertyNumber.number).where(PropertyNumber.property_id == property_id).order_by(col(PropertyNumber.id))
    )
    return list(rows)


def published_version(session: Session, *, property_id: int) -> KnowledgeVersion | None:
    """The published knowledge version: the newest one (versions are immutable)."""
    return session.exec(
        select(KnowledgeVersion)
        .where(KnowledgeVersion.property_id == property_id)
        .order_by(col(KnowledgeVersion.version).desc())
        .limit(1)
    ).first()


def history(session: Session, *, property_id: int) -> list[KnowledgeVersion]:
    """Every version of a property's knowledge, newest first."""
    return list(
        session.exec(
            select(KnowledgeVersion)
            .where(KnowledgeVersion.property_id == property_id)
            .order_by(col(KnowledgeVersion.version).desc())
        )
    )


def publish(
    session: Session, *, property_id: int, entries: list[dict[str, Any]], author: str, summary: str
) -> KnowledgeVersion:
    """Publish a new immutable version with these entries."""
    current = published_version(session, property_id=property_id)
    version = KnowledgeVersion(
        property_id=property_id,
        version=(current.version + 1) if current else 1,
        author=author,
        summary=summary[:500],
        entries=entries,
    )
    session.add(version)
    session.flush()
    return version


def rollback(session: Session, *, property_id: int, version: int, author: str) -> KnowledgeVersion:
    """Publish a new version whose content equals an older one; history is never rewritten."""
    old = session.exec(
        select(KnowledgeVersion).where(KnowledgeVersion.property_id == property_id, KnowledgeVersion.version == version)
    ).first()
    if old is None:
        raise NotFound(f"no knowledge version {version}")
    return publish(
        session,
        property_id=property_id,
        entries=old.entries,
        author=author,
        summary=f"rollback to v{version}",
    )


def change_summary(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> str:
    """A short "+added ~changed -removed" list of topics between two versions."""
    before = {e["topic"]: e for e in old}
    after = {e["topic"]: e for e in new}
    parts = [f"+{t}" for t in after if t not in before]
    parts += [f"~{t}" for t in after if t in before and before[t] != after[t]]
    parts += [f"-{t}" for t in before if t not in after]
    return " ".join(parts) if parts else "no changes"


def import_pack(session: Session, *, pack: Pack, author: str) -> tuple[Property, KnowledgeVersion]:
    """Upsert the property, its numbers, staff and reservations, and publish its knowledge as a new version."""
    prop = session.exec(select(Property).where(Property.slug == pack.property.slug)).first()
    fields = pack.property.model_dump(exclude={"phone_numbers"})
    if prop is None:
        prop = Property(**fields)
        session.add(prop)
    else:
        for key, value in fields.items():
            setattr(prop, key, value)
    prop.policy = pack.policy.model_dump(mode="json", exclude_defaults=True) if pack.policy else {}
    prop.whatsapp_template = pack.whatsapp_template.model_dump(mode="json") if pack.whatsapp_template else {}
    session.flush()
    assert prop.id is not None
    _replace_numbers(session, property_id=prop.id, numbers=pack.property.phone_numbers)
    session.exec(delete(StaffMember).where(col(StaffMember.property_id) == prop.id))
    for staff in pack.staff:
        session.add(StaffMember(property_id=prop.id, **staff.model_dump()))
    for reservation in pack.reservations:
        _upsert_reservation(session, property_id=prop.id, reservation=reservation)
    entries = [entry.stored() for entry in pack.knowledge]
    current = published_version(session, property_id=prop.id)
    summary = IMPORT_SUMMARY + change_summary(current.entries if current else [], entries)
    version = publish(session, property_id=prop.id, entries=entries, author=author, summary=summary)
    return prop, version


IMPORT_SUMMARY = "import: "  # how an import's version summary starts: what tells a pack's version from an edit


@dataclass(frozen=True)
class ImportPreview:
    """What importing a pack over an existing property would overwrite."""

    published: KnowledgeVersion | None
    knowledge: str  # "+added ~changed -removed" topics, or "no changes"
    staff: int  # staff members now, all replaced by the pack's
    reservations_added: int
    reservations_updated: int

    @property
    def overwrites_edits(self) -> bool:
        """The published knowledge was made in the admin (an edit or a rollback), and the import would change it."""
        edited = self.published is not None and not self.published.summary.startswith(IMPORT_SUMMARY)
        return edited and self.knowledge != "no changes"


def preview_import(session: Session, *, pack: Pack) -> ImportPreview | None:
    """What `import_pack` would overwrite on the pack's property; None when the property does not exist yet."""
    prop = session.exec(select(Property).where(Property.slug == pack.property.slug)).first()
    if prop is None or prop.id is None:
        return None
    current = published_version(session, property_id=prop.id)
    existing = {(r.phone, r.check_in) for r in list_reservations(session, property_id=prop.id)}
    updated = sum((r.phone, r.check_in) in existing for r in pack.reservations)
    return ImportPreview(
        published=current,
        knowledge=change_summary(current.entries if current else [], [e.stored() for e in pack.knowledge]),
        staff=len(list_staff(session, property_id=prop.id)),
        reservations_added=len(pack.reservations) - updated,
        reservations_updated=updated,
    )


def _replace_numbers(session: Session, *, property_id: int, numbers: list[str]) -> None:
    taken = session.exec(
        select(PropertyNumber).where(col(PropertyNumber.number).in_(numbers), PropertyNumber.property_id != property_id)
    ).first()
    if taken is not None:
        raise Conflict(f"property.phone_numbers: {taken.number} already belongs to another property")
    session.exec(delete(PropertyNumber).where(col(PropertyNumber.property_id) == property_id))
    session.flush()
    for number in numbers:
        session.add(PropertyNumber(property_id=property_id, number=number))


def _upsert_reservation(session: Session, *, property_id: int, reservation: ReservationIn) -> None:
    row = session.exec(
        select(Reservation).where(
            Reservation.property_id == property_id,
            Reservation.phone == reservation.phone,
            Reservation.check_in == reservation.check_in,
        )
    ).first()
    if row is None:
        session.add(Reservation(property_id=property_id, **reservation.model_dump()))
        return
    for key, value in reservation.model_dump().items():
        setattr(row, key, value)


def export_pack(session: Session, *, slug: str) -> Pack:
    """The property's published pack (round-trips through `import_pack`)."""
    prop = get_property(session, slug=slug)
    assert prop.id is not None
    version = published_version(session, property_id=prop.id)
    staff = session.exec(select(StaffMember).where(StaffMember.property_id == prop.id).order_by(col(StaffMember.id)))
    reservations = list_reservations(session, property_id=prop.id)
    return Pack(
        property=PropertyIn(
            **prop.model_dump(include=set(PropertyIn.model_fields) - {"phone_numbers"}),
            phone_numbers=property_numbers(session, property_id=prop.id),
        ),
        staff=[StaffIn(**s.model_dump(include=set(StaffIn.model_fields))) for s in staff],
        knowledge=[EntryIn(**e) for e in (version.entries if version else [])],
        reservations=[ReservationIn(**r.model_dump(include=set(ReservationIn.model_fields))) for r in reservations],
        policy=PolicyIn.model_validate(prop.policy) if prop.policy else None,
        whatsapp_template=WhatsAppTemplateIn.model_validate(prop.whatsapp_template) if prop.whatsapp_template else None,
    )


def stay_of(property_id: Any, phone: Any, today: Any) -> Any:
    """The id of the guest's current stay at this property, else their next upcoming one (by booking or linked
    number), as a scalar subquery of these expressions (bound parameters, or a turn statement's columns: a turn reads
    its guest's stay with its message, docs/benchmarks.md, eighth pass)."""
    stay, linked = aliased(Reservation), aliased(ReservationPhone)
    return (
        select(col(stay.id))
        .where(
            col(stay.property_id) == property_id,
            or_(
                col(stay.phone) == phone,
                col(stay.id).in_(
                    select(col(linked.reservation_id)).where(col(linked.phone) == phone).correlate_except(linked)
                ),
            ),
            col(stay.check_out) >= today,
        )
        .order_by(col(stay.check_in))
        .limit(1)
        .correlate_except(stay)  # the phone and property of a turn statement are its own columns
        .scalar_subquery()
    )


# Built once (building a statement cost more than running it, issue 22).
_RESERVATION_FOR = select(Reservation).where(
    col(Reservation.id) == stay_of(bindparam("property_id"), bindparam("phone"), bindparam("today"))
)


def reservation_for(session: Session, *, property_id: int, phone: str, today: date) -> Reservation | None:
    """The guest's current stay at this property, else their next upcoming one (by booking or linked number)."""
    params = {"property_id": property_id, "phone": phone, "today": today}
    return session.exec(_RESERVATION_FOR, params=params).first()


def last_stay(session: Session, *, property_id: int, phone: str) -> Reservation | None:
    """The number's most recent stay at this property (by booking or linked number), ended or not."""
    linked = select(ReservationPhone.reservation_id).where(ReservationPhone.phone == phone)
    return session.exec(
        select(Reservation)
        .where(
            Reservation.property_id == property_id,
            or_(col(Reservation.phone) == phone, col(Reservation.id).in_(linked)),
        )
        .order_by(col(Reservation.check_out).desc())
        .limit(1)
    ).first()


def current_reservations(session: Session, *, property_id: int, today: date) -> list[Reservation]:
    """A property's stays that have not ended yet, by check-in date."""
    return list(
        session.exec(
            select(Reservation)
            .where(Reservation.property_id == property_id, Reservation.check_out >= today)
            .order_by(col(Reservation.check_in))
        )
    )


def list_reservations(session: Session, *, property_id: int) -> list[Reservation]:
    """A property's reservations by check-in date."""
    return list(
        session.exec(
            select(Reservation).where(Reservation.property_id == property_id).order_by(col(Reservation.check_in))
        )
    )


def list_staff(session: Session, *, property_id: int) -> list[StaffMember]:
    """A property's staff in the pack's order, which is the on-call order."""
    return list(
        session.exec(select(StaffMember).where(StaffMember.property_id == property_id).order_by(col(StaffMember.id)))
    )
