"""Knowledge drafts: the owner's unpublished changes, one per property (not a version: the newest version stays
the published one), previewed before they are published as a new version.

Revision ID: 0017_drafts
Revises: 0016_loop
Create Date: 2026-12-02 13:52:31
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0017_drafts"
down_revision: str | None = "0016_loop"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "knowledgedraft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("fixes", sa.JSON(), server_default="{}", nullable=False),
        sa.Column("edited_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("edited_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["property_id"], ["property.id"], name=op.f("fk_knowledgedraft_property_id_property")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledgedraft")),
        sa.UniqueConstraint("property_id", name=op.f("uq_knowledgedraft_property_id")),
    )


def downgrade() -> None:
    op.drop_table("knowledgedraft")
