"""Partial indexes on the queues' unfinished rows, so a claim never walks the finished history.

The claim queries (concierge/core/queue.py `due`) carry the same predicate as an explicit term, which is what
lets SQLite (and PostgreSQL) use these indexes.

Revision ID: 0015_ops
Revises: 0009
Create Date: 2026-12-02 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0015_ops"
down_revision: str | None = "0015_security"  # re-chained at merge: after the security migration
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, table, columns, predicate): the same as the models' __table_args__.
INDEXES = [
    ("ix_job_unfinished", "job", ["id"], "status IN ('pending', 'running')"),
    ("ix_job_unfinished_conversation", "job", ["conversation_id", "id"], "status IN ('pending', 'running')"),
    ("ix_outbox_unfinished", "outbox", ["id"], "status IN ('pending', 'sending')"),
    ("ix_outbox_unfinished_conversation", "outbox", ["conversation_id", "id"], "status IN ('pending', 'sending')"),
    ("ix_notification_pending", "notification", ["id"], "status = 'pending'"),
]


def upgrade() -> None:
    for name, table, columns, predicate in INDEXES:
        where = sa.text(predicate)
        op.create_index(name, table, columns, unique=False, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, table, _columns, _predicate in reversed(INDEXES):
        op.drop_index(name, table_name=table)
