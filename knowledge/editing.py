"""Owner edits: entries checked and put in place (published at once, or into a draft), reservations added, changed or
imported."""

import csv
import io
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, delete, select

from concierge.core.errors import InvalidInput, NotFound
from knowledge import service as knowledge_service
from knowledge.checks import secret_digits_in_the_open
from knowledge.diff import EntryChange, diff_entries
from knowledge.models import KnowledgeVersion, Property, Reservation, ReservationPhone
from knowledge.pack import EntryIn, ReservationIn, parse_pack

CSV_COLUMNS = ("guest_name", "phone", "check_in", "check_out", "language", "guests")


def get_version(session: Session, *, property_id: int, version: int) -> KnowledgeVersion:
    """One version of a property's knowledge, or NotFound."""
    found = session.exec(
        select(KnowledgeVersion).where(KnowledgeVersion.property_id == property_id, KnowledgeVersion.version == version)
    ).first()
    if found is None:
        raise NotFound(f"no knowledge version {version}")
    return found


def compare(session: Session, *, property_id: int, old: int, new: int) -> list[EntryChange]:
    """The per-entry, per-language diff between two versions of a property's knowledge."""
    before = get_version(session, property_id=property_id, version=old)
    after = get_version(session, property_id=property_id, version=new)
    return diff_entries(before.entries, after.entries)


def published_entry(session: Session, *, property_id: int, topic: str) -> dict[str, Any] | None:
    """The published version's entry on this topic, if there is one."""
    current = knowledge_service.published_version(session, property_id=property_id)
    return next((e for e in (current.entries if current else []) if e["topic"] == topic), None)


def _validated(data: dict[str, Any]) -> dict[str, Any]:
    try:
        return EntryIn.model_validate(data).stored()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "entry"
            problems.append(f"{where}: {str(error['msg']).removeprefix('Value error, ')}")
        raise InvalidInput(problems) from None


def with_entry(entries: list[dict[str, Any]], *, entry: dict[str, Any], replaces: str | None) -> list[dict[str, Any]]:
    """The entries with this one validated and put in place of topic `replaces` (added when None)."""
    stored = _validated(entry)
    entries = list(entries)
    topics = [e["topic"] for e in entries]
    if replaces is not None and replaces not in topics:
        raise NotFound(f"no entry {replaces!r}")
    if stored["topic"] != replaces and stored["topic"] in topics:
        raise InvalidInput([f"topic: {stored['topic']!r} already has an entry; edit that one instead"])
    if replaces is None:
        entries.append(stored)
    else:
        entries[topics.index(replaces)] = stored
    return entries


def check_new_secrets(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> None:
    """InvalidInput when `after` shows a secret's digits in the open where `before` did not.

    Only the problems a change causes: one the published version already has is not the owner's edit's fault."""
    known = {p.split(": ", 1)[1] for p in secret_digits_in_the_open(before)}
    problems = [p.split(": ", 1)[1] for p in secret_digits_in_the_open(after)]
    if any(p not in known for p in problems):
        raise InvalidInput([p for p in problems if p not in known])


def save_entry(
    session: Session, *, property_id: int, entry: dict[str, Any], replaces: str | None, author: str
) -> KnowledgeVersion:
    """Validate one entry and publish a new version with it (replacing topic `replaces`, or added when None).

    Nothing is published when the entry is unchanged: the published version is returned as it is.
    (The admin saves into a draft instead: knowledge/drafts.py.)"""
    current = knowledge_service.published_version(session, property_id=property_id)
    entries = with_entry(current.entries if current else [], entry=entry, replaces=replaces)
    if current is not None and entries == current.entries:
        return current
    check_new_secrets(current.entries if current else [], entries)
    summary = knowledge_service.change_summary(current.entries if current else [], entries)
    return knowledge_service.publish(session, property_id=property_id, entries=entries, author=author, summary=summary)


def remove_entry(session: Session, *, property_id: int, topic: str, author: str) -> KnowledgeVersion:
    """Publish a new version without the entry on `topic`."""
    current = knowledge_service.published_version(session, property_id=property_id)
    if current is None or topic not in {e["topic"] for e in current.entries}:
        raise NotFound(f"no entry {topic!r} in the published version")
    entries = [e for e in current.entries if e["topic"] != topic]
    return knowledge_service.publish(
        session, property_id=property_id, entries=entries, author=author, summary=f"-{topic}"
    )


def import_pack_for(session: Session, *, prop: Property, data: Any, author: str) -> KnowledgeVersion:
    """Import a decoded pack into this property only: a pack naming another slug is refused."""
    pack = parse_pack(data)
    if pack.property.slug != prop.slug:
        raise InvalidInput([f"property.slug: this pack is for {pack.property.slug!r}, not {prop.slug!r}"])
    _prop, version = knowledge_service.import_pack(session, pack=pack, author=author)
    return version


def get_reservation(session: Session, *, property_id: int, reservation_id: int) -> Reservation:
    """A reservation of this property, or NotFound (also when it belongs to another property)."""
    found = session.get(Reservation, reservation_id)
    if found is None or found.property_id != property_id:
        raise NotFound("no such reservation")
    return found


def _reservation_in(data: dict[str, Any], *, where: str = "") -> ReservationIn:
    cleaned = {key: (value if value not in ("", None) else None) for key, value in data.items()}
    cleaned = {key: value for key, value in cleaned.items() if value is not None or key == "language"}
    try:
        return ReservationIn.model_validate(cleaned)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = ".".join(str(part) for part in error["loc"]) or "reservation"
            problems.append(f"{where}{loc}: {str(error['msg']).removeprefix('Value error, ')}")
        raise InvalidInput(problems) from None


def save_reservation(
    session: Session, *, property_id: int, data: dict[str, Any], reservation_id: int | None = None
) -> Reservation:
    """Add a reservation, or change one when `reservation_id` is given."""
    fields = _reservation_in(data).model_dump()
    row = (
        Reservation(property_id=property_id, **fields)
        if reservation_id is None
        else get_reservation(session, property_id=property_id, reservation_id=reservation_id)
    )
    # Checked before changing the row, so a refused edit leaves nothing behind in the transaction.
    clash = session.exec(
        select(Reservation.id).where(
            Reservation.property_id == property_id,
            Reservation.phone == fields["phone"],
            Reservation.check_in == fields["check_in"],
        )
    ).first()
    if clash is not None and clash != reservation_id:
        raise InvalidInput(["check_in: this guest already has a stay starting that day"])
    for key, value in fields.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    return row


def delete_reservation(session: Session, *, property_id: int, reservation_id: int) -> None:
    """Remove a reservation of this property (and the numbers linked to it)."""
    row = get_reservation(session, property_id=property_id, reservation_id=reservation_id)
    session.exec(delete(ReservationPhone).where(col(ReservationPhone.reservation_id) == reservation_id))
    session.delete(row)
    session.flush()


def link_phone(
    session: Session, *, property_id: int, reservation_id: int, phone: str, user_id: int | None
) -> ReservationPhone:
    """Treat another number as this booking's guest (a co-traveller staff have checked); linking twice is a no-op."""
    reservation = get_reservation(session, property_id=property_id, reservation_id=reservation_id)
    if phone == reservation.phone:
        raise InvalidInput(["phone: this is already the booking's own number"])
    existing = session.exec(
        select(ReservationPhone).where(
            ReservationPhone.reservation_id == reservation_id, ReservationPhone.phone == phone
        )
    ).first()
    if existing is not None:
        return existing
    row = ReservationPhone(reservation_id=reservation_id, phone=phone, linked_by=user_id)
    session.add(row)
    session.flush()
    return row


def parse_reservations_csv(text: str) -> list[ReservationIn]:
    """Reservations from CSV text with a header row (CSV_COLUMNS; language and guests optional).

    Every bad row is reported as `line N: field: message`, and nothing is imported when any is bad."""
    reader = csv.DictReader(io.StringIO(text.strip()))
    missing = [c for c in CSV_COLUMNS[:4] if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput([f"header: missing column(s) {', '.join(missing)}; expected {','.join(CSV_COLUMNS)}"])
    rows, problems = [], []
    line = 1  # the header
    try:
        for line, raw in enumerate(reader, start=2):
            data = {key: (raw.get(key) or "").strip() for key in CSV_COLUMNS if key in raw}
            try:
                rows.append(_reservation_in(data, where=f"line {line}: "))
            except InvalidInput as exc:
                problems.extend(exc.problems)
    except csv.Error as exc:  # a field past the csv module's limit, a stray NUL: the line, never a 500
        problems.append(f"line {line + 1}: not readable as CSV ({exc})")  # the line after the last one read
    if problems:
        raise InvalidInput(problems)
    return rows


def import_reservations_csv(session: Session, *, property_id: int, text: str) -> int:
    """Add or update (same phone and check-in) every reservation of the CSV; returns how many."""
    rows = parse_reservations_csv(text)
    for row in rows:
        existing = session.exec(
            select(Reservation).where(
                Reservation.property_id == property_id,
                Reservation.phone == row.phone,
                Reservation.check_in == row.check_in,
            )
        ).first()
        target = existing or Reservation(property_id=property_id, **row.model_dump())
        for key, value in row.model_dump().items():
            setattr(target, key, value)
        session.add(target)
    session.flush()
    return len(rows)
