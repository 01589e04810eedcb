"""Migrations and models agree, and the schema can be torn down and rebuilt."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import concierge.alerts.models  # noqa: F401
import concierge.guard.models  # noqa: F401
import concierge.llm.models  # noqa: F401
import concierge.models  # noqa: F401
import concierge.releases.models  # noqa: F401
import concierge.web.models  # noqa: F401
import escalation.models  # noqa: F401
import knowledge.models  # noqa: F401
from alembic import command
from concierge.db import get_engine
from concierge.health import alembic_config, readiness


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
