"""Inbound messages: store a guest's message and its turn job (the webhook's path, kept to four statements)."""

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from concierge.models import BOT_OWNER, Conversation, Job, JobStatus, Message
from knowledge.models import Property

MAX_STORED_CHARS = 10_000


def clean_body(body: str) -> str:
    """Text as we store it: control characters (NUL breaks PostgreSQL) removed, bounded in size."""
    kept = "".join(ch for ch in body if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return kept[:MAX_STORED_CHARS]


def receive(
    session: Session,
    *,
    prop: Property | None = None,
    property_id: int | None = None,
    channel: str,
    guest_address: str,
    property_address: str,
    body: str,
    twilio_sid: str | None = None,
    now: datetime,
) -> Message | None:
    """Store an inbound message and its turn job; None when this MessageSid was stored already.

    Give the property as `prop` or, on the webhook's path where no object is loaded, as `property_id`.

    The conversation row is written (created or touched) first, so on PostgreSQL it stays locked until commit:
    two messages of one guest then get their message and job ids in commit order, and the worker, which takes
    a conversation's jobs in id order, answers them in the order they were acknowledged. Three statements,
    no savepoints: this runs on the webhook's path. A repeated MessageSid (Twilio's retry) is not looked up
    first: the message's ON CONFLICT finds it; the conversation's last_message_at moves to the retry's time.
    """
    property_id = prop.id if prop is not None else property_id
    assert property_id is not None, "receive() needs prop or property_id"
    connection = session.connection()
    statements = _receive_statements(connection.dialect.name)
    conversation_id = connection.execute(
        statements.conversation,
        {
            "property_id": property_id,
            "channel": channel,
            "guest_address": guest_address,
            "property_address": property_address,
            "owner": BOT_OWNER,
            "created_at": now,
            "last_message_at": now,
        },
    ).scalar_one()
    values: dict[str, Any] = {
        "conversation_id": conversation_id,
        "direction": "in",
        "author": "guest",
        "body": clean_body(body),
        "twilio_sid": twilio_sid,
        "language": None,
        "knowledge_version": None,
        "entry_ids": [],
        "created_at": now,
    }
    message_id = connection.execute(statements.message, values).scalar()
    if message_id is None:  # this MessageSid was stored already (Twilio's retry): nothing more to store
        return None
    connection.execute(
        statements.job,
        {
            "conversation_id": conversation_id,
            "message_id": message_id,
            "status": JobStatus.pending,
            "attempts": 0,
            "created_at": now,
            "available_at": now,
        },
    )
    return Message(id=message_id, **values)  # the stored row's values, not read back (nor tracked by the session)


@dataclass(frozen=True)
class _ReceiveStatements:
    conversation: Any
    message: Any
    job: Any


@lru_cache
def _receive_statements(dialect: str) -> _ReceiveStatements:
    """receive()'s statements, built once per dialect (both have INSERT … ON CONFLICT … RETURNING)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    conversation = insert(Conversation)
    return _ReceiveStatements(
        conversation=conversation.on_conflict_do_update(
            index_elements=["property_id", "channel", "guest_address"],
            set_={
                "last_message_at": conversation.excluded.last_message_at,
                "property_address": conversation.excluded.property_address,
            },
        ).returning(col(Conversation.id)),
        message=insert(Message).on_conflict_do_nothing(index_elements=["twilio_sid"]).returning(col(Message.id)),
        job=sa_insert(Job),
    )
