"""One row per alert kind: whether it is firing, its last value, and when admins were last told."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from concierge.core.modelbase import utcnow


class AlertStatus:
    ok = "ok"
    firing = "firing"


class AlertState(SQLModel, table=True):
    """The shared memory of an alert kind across worker processes and restarts (the once-per-window guard)."""

    kind: str = Field(primary_key=True, max_length=32)  # "fallback_rate", "output_checks", "outbox_age", …
    status: str = Field(default=AlertStatus.ok, max_length=16)
    value: float | None = None  # the measurement at the last evaluation
    threshold: float | None = None
    checked_at: datetime | None = None
    fired_at: datetime | None = None  # when it last went over its threshold
    notified_at: datetime | None = None  # when admins were last told it fired (at most once per window)
    resolved_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
