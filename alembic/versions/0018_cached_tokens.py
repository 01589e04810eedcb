"""Model calls keep how many of their input tokens were prompt-cache hits, so the cached share is queryable.

Revision ID: 0018_cached_tokens
Revises: 0017_drafts
Create Date: 2026-12-02 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0018_cached_tokens"
down_revision: str | None = "0017_drafts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("modelcall") as batch:
        batch.add_column(sa.Column("cached_tokens", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("modelcall") as batch:
        batch.drop_column("cached_tokens")
