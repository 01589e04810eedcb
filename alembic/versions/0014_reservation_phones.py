"""Numbers staff link to a booking (co-travellers), treated as the booked guest's own.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 19:26:34.775336
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reservationphone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reservation_id", sa.Integer(), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("linked_by", sa.Integer(), nullable=True),
        sa.Column("linked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["linked_by"], ["user.id"], name=op.f("fk_reservationphone_linked_by_user")),
        sa.ForeignKeyConstraint(
            ["reservation_id"], ["reservation.id"], name=op.f("fk_reservationphone_reservation_id_reservation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservationphone")),
        sa.UniqueConstraint("reservation_id", "phone", name="uq_reservationphone_number"),
    )
    with op.batch_alter_table("reservationphone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reservationphone_phone"), ["phone"], unique=False)
        batch_op.create_index(batch_op.f("ix_reservationphone_reservation_id"), ["reservation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reservationphone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reservationphone_reservation_id"))
        batch_op.drop_index(batch_op.f("ix_reservationphone_phone"))

    op.drop_table("reservationphone")
