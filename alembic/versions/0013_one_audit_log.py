"""One audit log: conversation accesses move from `auditentry` into `auditevent` (target "conversation:ID").

Revision ID: 0013
Revises: 0007
Create Date: 2026-11-23 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0013"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditevent_target"), ["target"], unique=False)
    # The old entries named their actor as free text, not a user id: it is kept in the event's detail.
    bind = op.get_bind()
    old = bind.execute(sa.text("SELECT actor, action, conversation_id, created_at FROM auditentry ORDER BY id"))
    events = sa.table(
        "auditevent",
        sa.column("at"),  # copied as stored
        sa.column("user_id", sa.Integer()),
        sa.column("action", sa.String()),
        sa.column("target", sa.String()),
        sa.column("detail", sa.JSON()),
    )
    rows = [
        {
            "at": created_at,
            "user_id": None,
            "action": f"conversation.{action}"[:64],
            "target": f"conversation:{conversation_id if conversation_id is not None else 'unknown'}",
            "detail": {"actor": actor},
        }
        for actor, action, conversation_id, created_at in old
    ]
    if rows:
        op.bulk_insert(events, rows)
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditentry_created_at"))
        batch_op.drop_index(batch_op.f("ix_auditentry_conversation_id"))
        batch_op.drop_index(batch_op.f("ix_auditentry_actor"))
    op.drop_table("auditentry")


def downgrade() -> None:
    # The moved events stay in auditevent; the old table comes back empty.
    op.create_table(
        "auditentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auditentry")),
    )
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditentry_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_auditentry_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_auditentry_created_at"), ["created_at"], unique=False)
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditevent_target"))
