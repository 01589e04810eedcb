"""Migrations and models agree, and the schema can be torn down and rebuilt."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel, col, select

import concierge.conversation.marks  # noqa: F401
import concierge.conversation.models  # noqa: F401
import concierge.llm.models  # noqa: F401
import concierge.ops.alerts.models  # noqa: F401
import concierge.ops.releases.models  # noqa: F401
import concierge.users.models  # noqa: F401
import escalation.models  # noqa: F401
import knowledge.models  # noqa: F401
from alembic import command
from concierge.core.db import alembic_config, get_engine, session_scope
from concierge.ops.readiness import readiness
from concierge.users.audit import AuditEvent


def test_models_and_migrations_agree(database_url: str) -> None:
    with get_engine().connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


def test_downgrade_to_base_and_upgrade_again(database_url: str) -> None:
    config = alembic_config()
    command.downgrade(config, "base")
    assert readiness()["migrations"]["ok"] is False
    command.upgrade(config, "head")
    assert readiness()["migrations"]["ok"] is True


def test_one_audit_log_keeps_the_old_conversation_accesses(database_url: str) -> None:
    config = alembic_config()
    command.downgrade(config, "0013-1")
    try:
        with get_engine().begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO auditentry (actor, action, conversation_id, created_at) "
                    "VALUES ('staff:7', 'view', 42, '2026-11-01 10:00:00'), ('staff:7', 'not_found', NULL, "
                    "'2026-11-01 10:01:00')"
                )
            )
    finally:
        command.upgrade(config, "head")
    with session_scope() as s:
        moved = s.exec(select(AuditEvent).where(col(AuditEvent.action).startswith("conversation."))).all()
        assert [(e.action, e.target, e.detail, e.at.minute) for e in moved] == [
            ("conversation.view", "conversation:42", {"actor": "staff:7"}, 0),
            ("conversation.not_found", "conversation:unknown", {"actor": "staff:7"}, 1),
        ]
        for event in moved:
            s.delete(event)
