"""Escalation lifecycle: claim/resolve/hand-back fields, SLA timers, notes, policy, notifications, canned replies.

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-23 16:45:25.591998
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0007"
down_revision: str | None = "0002"  # 0001 on its own branch; re-chained after issue-3 merged
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cannedreply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["property_id"], ["property.id"], name=op.f("fk_cannedreply_property_id_property")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cannedreply")),
    )
    with op.batch_alter_table("cannedreply", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cannedreply_property_id"), ["property_id"], unique=False)

    op.create_table(
        "escalationpolicy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("quiet_start", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("quiet_end", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.ForeignKeyConstraint(
            ["property_id"], ["property.id"], name=op.f("fk_escalationpolicy_property_id_property")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalationpolicy")),
        sa.UniqueConstraint("property_id", name=op.f("uq_escalationpolicy_property_id")),
    )
    op.create_table(
        "conversationnote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=True),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversation.id"], name=op.f("fk_conversationnote_conversation_id_conversation")
        ),
        sa.ForeignKeyConstraint(
            ["escalation_id"], ["escalation.id"], name=op.f("fk_conversationnote_escalation_id_escalation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversationnote")),
    )
    with op.batch_alter_table("conversationnote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversationnote_conversation_id"), ["conversation_id"], unique=False)

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["escalation_id"], ["escalation.id"], name=op.f("fk_notification_escalation_id_escalation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_escalation_id"), ["escalation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_status"), ["status"], unique=False)

    with op.batch_alter_table("escalation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column("summary", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("reasons", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("resolved_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("resolved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("resolution_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("handed_back", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("notify_round", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("next_check_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("guest_told_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_escalation_next_check_at"), ["next_check_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("escalation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_next_check_at"))
        batch_op.drop_column("guest_told_at")
        batch_op.drop_column("next_check_at")
        batch_op.drop_column("notify_round")
        batch_op.drop_column("handed_back")
        batch_op.drop_column("resolution_note")
        batch_op.drop_column("resolved_at")
        batch_op.drop_column("resolved_by")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("reasons")
        batch_op.drop_column("summary")
        batch_op.drop_column("language")

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_status"))
        batch_op.drop_index(batch_op.f("ix_notification_escalation_id"))

    op.drop_table("notification")
    with op.batch_alter_table("conversationnote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversationnote_conversation_id"))

    op.drop_table("conversationnote")
    op.drop_table("escalationpolicy")
    with op.batch_alter_table("cannedreply", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cannedreply_property_id"))

    op.drop_table("cannedreply")
