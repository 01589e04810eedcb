"""Model usage: one row per model call a turn made, with its tokens and cost (budgets sum these)."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from concierge.core.modelbase import utcnow


class ModelCall(SQLModel, table=True):
    # Budgets sum one property's calls since local midnight.
    __table_args__ = (Index("ix_modelcall_property_created", "property_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="property.id")
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    job_id: int | None = Field(default=None, foreign_key="job.id", index=True)
    provider: str = Field(max_length=128)  # "provider:model"
    purpose: str = Field(default="answer", max_length=16)  # "answer" or "regenerate"
    outcome: str = Field(max_length=32)  # "ok", "timeout", "rate_limited", "server_error", …
    input_tokens: int = 0
    cached_tokens: int = 0  # of input_tokens, read from the provider's prompt cache (priced lower)
    output_tokens: int = 0
    cost_usd: float = 0.0
    priced: bool = True  # False: the model is missing from the price table (counted at the dearest price)
    created_at: datetime = Field(default_factory=utcnow)
