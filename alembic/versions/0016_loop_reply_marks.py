"""Marks on bot replies (staff: right or what was wrong; guests: "that's wrong") and the regression cases they keep.

Revision ID: 0016_loop
Revises: 0015_security
Create Date: 2026-12-02 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0016_loop"
down_revision: str | None = "0015_ops"  # re-chained at merge: after the queue indexes
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "replymark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("reply_message_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("knowledge_version", sa.Integer(), nullable=True),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("guest", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("expect_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("expect_topics", sa.JSON(), nullable=False),
        sa.Column("case_deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.ForeignKeyConstraint(["property_id"], ["property.id"]),
        sa.ForeignKeyConstraint(["reply_message_id"], ["message.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("property_id", "conversation_id", "reply_message_id", "created_at"):
        op.create_index(op.f(f"ix_replymark_{column}"), "replymark", [column], unique=False)


def downgrade() -> None:
    for column in ("property_id", "conversation_id", "reply_message_id", "created_at"):
        op.drop_index(op.f(f"ix_replymark_{column}"), table_name="replymark")
    op.drop_table("replymark")
