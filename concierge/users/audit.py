"""The one audit log: who did what (edits, rollbacks, logins, refused out-of-scope requests, access to conversations).

`record()` is the only writer of audit rows; every package that audits something calls it. It lives with the users
because a row's `user_id` is a foreign key to their table, which must be registered before a row can be flushed
(the `concierge quiet-hours` command imports nothing else of the users).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, select

import concierge.users.models  # noqa: F401  (registers the user table that user_id's foreign key names)
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow


class AuditEvent(SQLModel, table=True):
    """Who did what: edits, rollbacks, logins, refused out-of-scope requests, and staff access to conversations."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    action: str = Field(max_length=64)  # e.g. "kb.save", "kb.rollback", "login.failed", "denied"
    target: str = Field(default="", max_length=200, index=True)  # e.g. "property:casa-azul", "conversation:42"
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def record(
    session: Session, *, user_id: int | None, action: str, target: str = "", detail: dict[str, Any] | None = None
) -> AuditEvent:
    """Add an audit record to the current transaction."""
    event = AuditEvent(user_id=user_id, action=action[:64], target=target[:200], detail=detail or {}, at=utcnow())
    session.add(event)
    session.flush()
    return event


def record_apart(*, user_id: int | None, action: str, target: str = "", detail: dict[str, Any] | None = None) -> None:
    """Write an audit record in a transaction of its own: for refusals, whose request's transaction is rolled back."""
    with session_scope() as session:
        record(session, user_id=user_id, action=action, target=target, detail=detail)


def events(session: Session, *, target: str) -> list[AuditEvent]:
    """Every audit record about this target, oldest first."""
    return list(session.exec(select(AuditEvent).where(AuditEvent.target == target).order_by(col(AuditEvent.id))))
