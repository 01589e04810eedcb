"""Console: staff language, cached transcript translations, approved WhatsApp templates on properties and outbox.

Revision ID: 0009
Revises: 0011
Create Date: 2026-11-24 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0009"
down_revision: str | None = "0011"  # re-chained after 0013, 0014 and 0011 landed
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16), server_default="en", nullable=False)
        )
    with op.batch_alter_table("property", schema=None) as batch_op:
        batch_op.add_column(sa.Column("whatsapp_template", sa.JSON(), server_default="{}", nullable=False))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_sid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("content_variables", sa.Text(), nullable=True))
    op.create_table(
        "messagetranslation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("prompt", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], name=op.f("fk_messagetranslation_message_id_message")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messagetranslation")),
        sa.UniqueConstraint("message_id", "language", name="uq_messagetranslation_message_language"),
    )
    with op.batch_alter_table("messagetranslation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messagetranslation_message_id"), ["message_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("messagetranslation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messagetranslation_message_id"))
    op.drop_table("messagetranslation")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("content_variables")
        batch_op.drop_column("content_sid")
    with op.batch_alter_table("property", schema=None) as batch_op:
        batch_op.drop_column("whatsapp_template")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("language")
