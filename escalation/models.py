"""Escalations: a conversation handed to people, with why, how urgent, and its lifecycle."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from concierge.core.modelbase import partial_index, utcnow


class EscalationStatus(StrEnum):
    open = "open"  # waiting for a person (SLA timers run)
    claimed = "claimed"  # a staff member took it
    resolved = "resolved"  # closed with a note (and maybe handed back to the bot)


class Urgency(StrEnum):
    emergency = "emergency"
    high = "high"
    normal = "normal"


FLOOD_REASON = "many_messages"  # a sender went over the rate limit: the held messages wait for people
URGENCY_RANK = {Urgency.normal: 0, Urgency.high: 1, Urgency.emergency: 2}
REASON_URGENCY = {
    "emergency": Urgency.emergency,
    "human_requested": Urgency.high,
    "complaint": Urgency.high,
    "policy:complaint": Urgency.high,
    "policy:maintenance": Urgency.high,  # no heating, hot water or power: someone must come, not wait in a queue
}


def urgency_for(reason: str, urgency: str | None = None) -> Urgency:
    """An escalation's urgency: the one given (screening's), else the reason's, else normal."""
    return Urgency(urgency or REASON_URGENCY.get(reason, Urgency.normal))


def hands_over(urgency: str) -> bool:
    """High and emergency escalations stop the bot at once; normal ones wait while the bot keeps answering FAQs."""
    return URGENCY_RANK[Urgency(urgency)] >= URGENCY_RANK[Urgency.high]


@dataclass(frozen=True)
class Raised:
    """One reason an escalation holds, with the guest message that raised it and how urgent it is."""

    reason: str
    message_id: int | None
    urgency: Urgency


class Escalation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="property.id", index=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="message.id")  # the triggering guest message
    reason: str = Field(max_length=64)  # e.g. "no_answer", "human_requested", "emergency"
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))
    urgency: str = Field(default=Urgency.normal, max_length=16)
    status: str = Field(default=EscalationStatus.open, max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    language: str | None = Field(default=None, max_length=16)  # the guest's, when the escalation opened
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # Later reasons merged into this open escalation: [{"reason", "message_id", "at"}].
    reasons: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = None
    resolved_by: str | None = Field(default=None, max_length=64)
    resolved_at: datetime | None = None
    resolution_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    handed_back: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # SLA: when nobody has claimed it by next_check_at, notify again (round 0 = first notice deferred by quiet hours).
    notify_round: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    next_check_at: datetime | None = Field(default=None, index=True)
    guest_told_at: datetime | None = None  # when the guest was told a person is on the way

    def raised(self) -> list["Raised"]:
        """Every reason, oldest first, each with its message and urgency (the first one's as it opened)."""
        merged = [dict(r) for r in self.reasons]
        first = Urgency(merged[0].get("was") or urgency_for(self.reason)) if merged else Urgency(self.urgency)
        return [
            Raised(reason=self.reason, message_id=self.message_id, urgency=first),
            *(
                Raised(
                    reason=str(r["reason"]),
                    message_id=r.get("message_id"),
                    urgency=Urgency(r.get("urgency") or urgency_for(str(r["reason"]))),
                )
                for r in merged
            ),
        ]

    def top(self) -> "Raised":
        """The most urgent reason; among equally urgent ones the latest, which is the guest's current concern."""
        return max(reversed(self.raised()), key=lambda r: URGENCY_RANK[r.urgency])


class ConversationNote(SQLModel, table=True):
    """An internal note on a conversation: staff-only, never sent to the guest."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    escalation_id: int | None = Field(default=None, foreign_key="escalation.id")
    author: str = Field(max_length=64)  # staff_owner(id) or Author.system
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class EscalationPolicy(SQLModel, table=True):
    """Per-property hand-off settings: the hours when staff are not expected to answer."""

    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="property.id", unique=True)
    quiet_start: str | None = Field(default=None, max_length=5)  # "22:00", property time
    quiet_end: str | None = Field(default=None, max_length=5)  # "08:00"


class NotificationStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class Notification(SQLModel, table=True):
    """An email or signed webhook about an escalation (or an operational alert), delivered with retries."""

    __table_args__ = (partial_index("ix_notification_pending", "id", where="status = 'pending'"),)  # migration 0015

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int | None = Field(default=None, foreign_key="escalation.id", index=True)  # None: an alert
    kind: str = Field(max_length=16)  # "email" | "webhook"
    target: str = Field(max_length=500)  # address or URL
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=NotificationStatus.pending, max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class CannedReply(SQLModel, table=True):
    """A ready-made staff reply for a property, in one language."""

    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="property.id", index=True)
    title: str = Field(max_length=100)
    language: str = Field(max_length=16)
    body: str = Field(sa_column=Column(Text, nullable=False))


class MessageTranslation(SQLModel, table=True):
    """A transcript message translated for staff into one language, so a page view never asks a model twice."""

    __table_args__ = (UniqueConstraint("message_id", "language", name="uq_messagetranslation_message_language"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    language: str = Field(max_length=16)  # the target: the staff member's language
    text: str = Field(sa_column=Column(Text, nullable=False))
    prompt: str = Field(max_length=64)  # "translate_message@1"
    provider: str = Field(max_length=128)
    created_at: datetime = Field(default_factory=utcnow)
