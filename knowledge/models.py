"""Properties, their staff and reservations, and the immutable versions of their knowledge base."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from concierge.core.modelbase import utcnow


class PropertyBase(SQLModel):
    slug: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    timezone: str = Field(max_length=64)
    default_language: str = Field(max_length=16)
    access_window_hours: int = 24


class Property(PropertyBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # The pack's optional `policy` section (concierge.guard.policy.PolicyIn); {} means the defaults.
    policy: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}"))
    # The pack's optional `whatsapp_template` section: the approved Twilio Content template offered to staff when
    # the WhatsApp 24-hour window is closed ({"content_sid": "HX…", "variables": {"1": "{guest_name}"}}); {} = none.
    whatsapp_template: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    created_at: datetime = Field(default_factory=utcnow)


class PropertyNumber(SQLModel, table=True):
    """A number guests write to ("+1500…" for SMS, "whatsapp:+1500…" for WhatsApp); it names the property."""

    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="property.id", index=True)
    number: str = Field(max_length=64, unique=True)


class StaffMember(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="property.id", index=True)
    name: str = Field(max_length=200)
    phone: str = Field(max_length=32)
    role: str = Field(max_length=32)
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Reservation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("property_id", "phone", "check_in", name="uq_reservation_stay"),)

    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="property.id", index=True)
    guest_name: str = Field(max_length=200)
    phone: str = Field(max_length=32, index=True)
    check_in: date
    check_out: date
    language: str | None = Field(default=None, max_length=16)
    guests: int = 1


class ReservationPhone(SQLModel, table=True):
    """Another number staff linked to a booking (a co-traveller): it is treated as the booked guest's own."""

    __table_args__ = (UniqueConstraint("reservation_id", "phone", name="uq_reservationphone_number"),)

    id: int | None = Field(default=None, primary_key=True)
    reservation_id: int = Field(foreign_key="reservation.id", index=True)
    phone: str = Field(max_length=32, index=True)  # E.164, without the whatsapp: prefix
    linked_by: int | None = Field(default=None, foreign_key="user.id")
    linked_at: datetime = Field(default_factory=utcnow)


class KnowledgeVersion(SQLModel, table=True):
    """One immutable snapshot of a property's knowledge; the newest version is the published one."""

    __table_args__ = (UniqueConstraint("property_id", "version", name="uq_knowledgeversion_number"),)

    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="property.id", index=True)
    version: int
    published_at: datetime = Field(default_factory=utcnow)
    author: str = Field(max_length=200)
    summary: str = Field(max_length=500)
    # [{"topic", "title", "sensitive", "content": {lang: text}}]; the first content language is the original.
    entries: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class KnowledgeDraft(SQLModel, table=True):
    """The owner's unpublished changes to a property's knowledge: at most one per property, never read by a turn.

    Not a KnowledgeVersion, so "the newest version is the published one" stays true; publishing it makes a new
    version (merged with any version published since `base_version`, entry by entry)."""

    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="property.id", unique=True)
    base_version: int | None = None  # the published version the draft started from (None: there was none)
    # The whole knowledge as it will be published, in KnowledgeVersion.entries' format.
    entries: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Marked cases this draft answers with a new entry: {mark id (str): topic}; on publish their expectation
    # becomes "answers with that topic" (a case kept as "hand over, no entry answers this").
    fixes: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}"))
    edited_by: str = Field(max_length=254)
    edited_at: datetime = Field(default_factory=utcnow)
