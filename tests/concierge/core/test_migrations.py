"""Migrations and models agree, and the schema can be torn down and rebuilt."""

import os
import subprocess
import sys
import time

import pytest
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
from concierge.core.db import MIGRATION_LOCK_KEY, alembic_config, get_engine, session_scope
from concierge.ops.readiness import readiness
from concierge.users.audit import AuditEvent
from tests.factories import PG_URL_ENV, ROOT


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


@pytest.mark.skipif(not os.environ.get(PG_URL_ENV), reason="the migration lock is a PostgreSQL advisory lock")
def test_db_upgrade_waits_for_the_migration_lock_on_postgresql(database_url: str) -> None:
    waiting = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    with get_engine().connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        conn.commit()
        upgrade = subprocess.Popen([sys.executable, "-m", "concierge.cli", "db", "upgrade"], cwd=ROOT)
        try:
            deadline = time.monotonic() + 60
            while conn.execute(waiting).scalar_one() == 0:  # another migrator (a second container) holds it
                conn.commit()
                assert upgrade.poll() is None, "db upgrade ran without waiting for the lock"
                assert time.monotonic() < deadline, "db upgrade never asked for the migration lock"
                time.sleep(0.1)
            conn.commit()
            assert upgrade.poll() is None
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
            conn.commit()
        assert upgrade.wait(timeout=60) == 0
