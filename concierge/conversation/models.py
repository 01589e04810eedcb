"""The conversation: guests' threads, their messages, turn jobs, the outbox and turn traces."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from concierge.core.modelbase import partial_index, utcnow


class Channel(StrEnum):
    sms = "sms"
    whatsapp = "whatsapp"
    simulator = "simulator"


class JobStatus(StrEnum):
    pending = "pending"
    running = "running"
    done = "done"
    failed = "failed"


class OutboxStatus(StrEnum):
    pending = "pending"  # waiting for its first or next attempt
    sending = "sending"  # an attempt is in flight (or crashed mid-flight: reconciled before resending)
    sent = "sent"  # accepted by Twilio (SID recorded) or shown in the simulator
    delivered = "delivered"
    undelivered = "undelivered"
    failed = "failed"
    cancelled = "cancelled"  # a person took the conversation over before the bot's reply left


class Owner(StrEnum):
    """Who answers a conversation (`Conversation.owner`); a staff member who took it is `staff_owner(id)`."""

    bot = "bot"  # the concierge answers
    unassigned = "unassigned-human"  # handed to people, nobody took it yet: the bot stays silent
    alerts = "staff-alerts"  # the SMS thread that alerts a staff member: never answered by the bot


STAFF_PREFIX = "staff:"


def staff_owner(staff_id: str) -> str:
    """The owner value of a staff member ("staff:<id>"); also who claimed, resolved or noted an escalation."""
    return f"{STAFF_PREFIX}{staff_id}"


def is_staff(owner: str) -> bool:
    """Whether a staff member (not the bot, nor the unassigned queue) owns the conversation."""
    return owner.startswith(STAFF_PREFIX)


class Author(StrEnum):
    """Who wrote a message (`Message.author`, `Outbox.author`)."""

    guest = "guest"
    bot = "bot"  # the concierge: cancelled before sending when a person owns the conversation by then
    staff = "staff"
    system = "system"  # notices that leave whoever owns the conversation (hand-off notice, staff alerts)


class Conversation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("property_id", "channel", "guest_address", name="uq_conversation_guest"),)

    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="property.id", index=True)
    channel: str = Field(max_length=16)
    guest_address: str = Field(max_length=64)  # Twilio "From", with the whatsapp: prefix when present
    property_address: str = Field(max_length=64)  # Twilio "To": replies are sent from it
    language: str | None = Field(default=None, max_length=16)
    owner: str = Field(default=Owner.bot, max_length=64)  # an Owner or staff_owner(id)
    created_at: datetime = Field(default_factory=utcnow)
    last_message_at: datetime = Field(default_factory=utcnow)


class Message(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    direction: str = Field(max_length=8)  # "in" | "out"
    author: str = Field(max_length=16)  # an Author
    body: str = Field(sa_column=Column(Text, nullable=False))
    twilio_sid: str | None = Field(default=None, max_length=64, unique=True)  # inbound MessageSid
    language: str | None = Field(default=None, max_length=16)
    knowledge_version: int | None = None  # provenance of a bot reply
    entry_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Job(SQLModel, table=True):
    """One guest message to answer; claimed by one worker at a time under a lease."""

    # A claim reads only the unfinished jobs (migration 0015), however many finished ones the table keeps.
    __table_args__ = (
        partial_index("ix_job_unfinished", "id", where="status IN ('pending', 'running')"),
        partial_index(
            "ix_job_unfinished_conversation", "conversation_id", "id", where="status IN ('pending', 'running')"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    message_id: int = Field(foreign_key="message.id", unique=True)
    status: str = Field(default=JobStatus.pending, max_length=16, index=True)
    attempts: int = 0
    available_at: datetime = Field(default_factory=utcnow)  # not claimed before (retry backoff)
    lease_token: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class Outbox(SQLModel, table=True):
    """A reply waiting to leave, or its delivery record once it has."""

    __table_args__ = (  # the sender's claim reads only replies still to send (migration 0015)
        partial_index("ix_outbox_unfinished", "id", where="status IN ('pending', 'sending')"),
        partial_index(
            "ix_outbox_unfinished_conversation", "conversation_id", "id", where="status IN ('pending', 'sending')"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    message_id: int = Field(foreign_key="message.id", unique=True)
    channel: str = Field(max_length=16)
    to_address: str = Field(max_length=64)
    from_address: str = Field(max_length=64)
    body: str = Field(sa_column=Column(Text, nullable=False))
    # An approved WhatsApp template (Twilio Content API) instead of free text: its HX… SID and JSON variables.
    content_sid: str | None = Field(default=None, max_length=64)
    content_variables: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    author: str = Field(max_length=16)  # an Author: bot replies are cancelled when a person owns the conversation
    status: str = Field(default=OutboxStatus.pending, max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    attempt_started_at: datetime | None = None
    # An attempt that may have reached Twilio without an answer (timeout): look for it before sending again.
    reconcile_from: datetime | None = None
    twilio_sid: str | None = Field(default=None, max_length=64, unique=True)
    error_code: str | None = Field(default=None, max_length=32)
    error_message: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class Trace(SQLModel, table=True):
    """What one turn did: nodes visited, language decision, retrieval candidates, the decision."""

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", unique=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    reply_message_id: int | None = Field(default=None, foreign_key="message.id", index=True)  # the reply it sent
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)  # alerts read recent turns
