"""Guard records: the audit log of people's access to conversations."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from concierge.modelbase import utcnow


class AuditEntry(SQLModel, table=True):
    """One access to a conversation by a person (staff reading, replying, taking over, exporting)."""

    id: int | None = Field(default=None, primary_key=True)
    actor: str = Field(max_length=200, index=True)  # a staff id or login, never a guest's phone number
    action: str = Field(max_length=64)  # e.g. "view", "reply", "take_over", "hand_back", "export", "not_found"
    conversation_id: int | None = Field(default=None, index=True)  # None when the requested one does not exist
    created_at: datetime = Field(default_factory=utcnow, index=True)
