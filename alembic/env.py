"""Alembic environment: the URL from settings, the metadata from every domain's models."""

from sqlmodel import SQLModel

import concierge.conversation.marks  # noqa: F401  (register tables)
import concierge.conversation.models  # noqa: F401
import concierge.llm.models  # noqa: F401
import concierge.ops.alerts.models  # noqa: F401
import concierge.ops.releases.models  # noqa: F401
import concierge.users.audit  # noqa: F401
import concierge.users.models  # noqa: F401
import escalation.models  # noqa: F401
import knowledge.models  # noqa: F401
from alembic import context
from concierge.core.db import get_engine
from concierge.core.settings import get_settings

target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=get_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:  # a caller (tests, readiness) passed its own connection
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    with get_engine().connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
