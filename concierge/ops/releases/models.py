"""A release (what the turns run with) and the log of which release was made active, when and by whom."""

from datetime import datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from concierge.core.modelbase import utcnow


class Release(SQLModel, table=True):
    """Immutable once created: a new configuration is a new release."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    providers: str = Field(max_length=500)  # an LLM_PROVIDERS value
    prompts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # id → version
    thresholds: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_by: str = Field(default="cli", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class ReleaseActivation(SQLModel, table=True):
    """One switch of the active release; the newest row names the release the next turn uses."""

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(foreign_key="release.id", index=True)
    # The activation this one replaced: rolling back returns to it, so repeated rollbacks walk back in history.
    previous_id: int | None = Field(default=None, foreign_key="releaseactivation.id")
    action: str = Field(max_length=16)  # "activate" | "rollback"
    actor: str = Field(default="cli", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
