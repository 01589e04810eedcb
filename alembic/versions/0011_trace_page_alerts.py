"""trace page and alerts: traces name their reply message, alert state per kind, alert notifications

Revision ID: 0011
Revises: 0014
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0011"
down_revision: str | None = "0014"  # re-chained after 0013 and 0014 landed
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alertstate",
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("checked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("fired_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("notified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("resolved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_alertstate")),
    )
    with op.batch_alter_table("trace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reply_message_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_trace_reply_message_id"), ["reply_message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trace_created_at"), ["created_at"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_trace_reply_message_id_message"), "message", ["reply_message_id"], ["id"]
        )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("escalation_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM notification WHERE escalation_id IS NULL")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("escalation_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("trace", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_trace_reply_message_id_message"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_trace_created_at"))
        batch_op.drop_index(batch_op.f("ix_trace_reply_message_id"))
        batch_op.drop_column("reply_message_id")
    op.drop_table("alertstate")
