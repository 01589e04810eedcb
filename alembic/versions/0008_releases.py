"""releases: what the turns run with (prompt versions, provider chain, thresholds) and the activation log

Revision ID: 0008
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0008"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("providers", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("prompts", sa.JSON(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release")),
    )
    op.create_table(
        "releaseactivation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["previous_id"], ["releaseactivation.id"], name=op.f("fk_releaseactivation_previous_id_releaseactivation")
        ),
        sa.ForeignKeyConstraint(["release_id"], ["release.id"], name=op.f("fk_releaseactivation_release_id_release")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releaseactivation")),
    )
    with op.batch_alter_table("releaseactivation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_releaseactivation_release_id"), ["release_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("releaseactivation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_releaseactivation_release_id"))

    op.drop_table("releaseactivation")
    op.drop_table("release")
