"""model calls: tokens and cost of every model call, for budgets and per-conversation cost

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "modelcall",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("priced", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversation.id"], name=op.f("fk_modelcall_conversation_id_conversation")
        ),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"], name=op.f("fk_modelcall_job_id_job")),
        sa.ForeignKeyConstraint(["property_id"], ["property.id"], name=op.f("fk_modelcall_property_id_property")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_modelcall")),
    )
    with op.batch_alter_table("modelcall", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_modelcall_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_modelcall_job_id"), ["job_id"], unique=False)
        batch_op.create_index("ix_modelcall_property_created", ["property_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("modelcall", schema=None) as batch_op:
        batch_op.drop_index("ix_modelcall_property_created")
        batch_op.drop_index(batch_op.f("ix_modelcall_job_id"))
        batch_op.drop_index(batch_op.f("ix_modelcall_conversation_id"))
    op.drop_table("modelcall")
