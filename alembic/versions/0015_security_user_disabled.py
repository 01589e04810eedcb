"""Accounts an operator disabled (`concierge users disable`): they cannot sign in, and their sessions end.
Sign-in no longer locks accounts (a lock let anyone who knew an email keep its owner out), so `locked_until` goes.

Revision ID: 0015_security
Revises: 0009
Create Date: 2026-12-02 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0015_security"
down_revision: str | None = "0009"  # the real head of main (0014 is not: 0011 and 0009 follow it)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disabled", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_column("locked_until")


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.drop_column("disabled")
