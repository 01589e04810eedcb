"""Escalations: a conversation handed to people, with why and how urgent."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from concierge.modelbase import utcnow


class EscalationStatus(StrEnum):
    open = "open"
    claimed = "claimed"
    resolved = "resolved"


class Escalation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="property.id", index=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="message.id")  # the triggering guest message
    reason: str = Field(max_length=64)  # e.g. "no_answer", "empty_message"
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))
    urgency: str = Field(default="normal", max_length=16)
    status: str = Field(default=EscalationStatus.open, max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow)
