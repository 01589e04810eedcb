"""Inbound messages: store a guest's message and its turn job (the webhook's path: three statements on SQLite,
one on PostgreSQL)."""

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, cast, literal, select
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from concierge.conversation.models import Author, Conversation, Job, JobStatus, Message, Owner
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
    a conversation's jobs in id order, answers them in the order they were acknowledged. Three statements on
    SQLite, one on PostgreSQL, no savepoints: this runs on the webhook's path. A repeated MessageSid (Twilio's
    retry) is not looked up first: the message's ON CONFLICT finds it; the conversation's last_message_at moves
    to the retry's time.
    """
    property_id = prop.id if prop is not None else property_id
    assert property_id is not None, "receive() needs prop or property_id"
    connection = session.connection()
    statements = _receive_statements(connection.dialect.name)
    text = clean_body(body)
    conversation = {
        "property_id": property_id,
        "channel": channel,
        "guest_address": guest_address,
        "property_address": property_address,
        "owner": Owner.bot,
        "created_at": now,
        "last_message_at": now,
    }
    if statements.combined is not None:  # PostgreSQL: the three inserts in one statement, one round trip
        row = connection.execute(statements.combined, {**conversation, "body": text, "twilio_sid": twilio_sid}).first()
        if row is None:  # this MessageSid was stored already (Twilio's retry)
            return None
        return Message(id=row.message_id, **_inbound_values(row.conversation_id, text, twilio_sid, now))
    conversation_id = connection.execute(statements.conversation, conversation).scalar_one()
    values = _inbound_values(conversation_id, text, twilio_sid, now)
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


def _inbound_values(conversation_id: int, text: str, twilio_sid: str | None, now: datetime) -> dict[str, Any]:
    """The stored message's columns (`text` already cleaned)."""
    return {
        "conversation_id": conversation_id,
        "direction": "in",
        "author": Author.guest,
        "body": text,
        "twilio_sid": twilio_sid,
        "language": None,
        "knowledge_version": None,
        "entry_ids": [],
        "created_at": now,
    }


@dataclass(frozen=True)
class _ReceiveStatements:
    conversation: Any
    message: Any
    job: Any
    combined: Any  # PostgreSQL only (data-modifying CTEs): conversation, message and job in one statement


@lru_cache
def _receive_statements(dialect: str) -> _ReceiveStatements:
    """receive()'s statements, built once per dialect (both have INSERT … ON CONFLICT … RETURNING)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return _ReceiveStatements(
        conversation=_conversation_upsert(insert),
        message=insert(Message).on_conflict_do_nothing(index_elements=["twilio_sid"]).returning(col(Message.id)),
        job=sa_insert(Job),
        combined=_combined_statement() if dialect == "postgresql" else None,
    )


def _conversation_upsert(insert: Any) -> Any:
    """Create the guest's conversation or touch it (last message, the number they wrote to); returns its id."""
    names = ["property_id", "channel", "guest_address", "property_address", "owner", "created_at", "last_message_at"]
    conversation = insert(Conversation).values({name: bindparam(name) for name in names})
    return conversation.on_conflict_do_update(
        index_elements=["property_id", "channel", "guest_address"],
        set_={
            "last_message_at": conversation.excluded.last_message_at,
            "property_address": conversation.excluded.property_address,
        },
    ).returning(col(Conversation.id))


def _combined_statement() -> Any:
    """WITH conv AS (upsert conversation), msg AS (insert message) INSERT job … RETURNING message and conversation.

    The conversation is still written first (its row lock orders one guest's concurrent stores); a message whose
    MessageSid exists already inserts nothing, so no job either, and the statement returns no row.
    """

    def param(name: str, column: Any) -> Any:  # typed: PostgreSQL cannot infer a SELECT list's parameter types
        return cast(bindparam(name, type_=column.type), column.type)

    def constant(value: Any, column: Any) -> Any:
        return cast(literal(value, column.type), column.type)

    conv = _conversation_upsert(pg_insert).cte("conv")
    message = Message.__table__.c  # type: ignore[attr-defined]
    msg = (
        pg_insert(Message)
        .from_select(
            ["conversation_id", "direction", "author", "body", "twilio_sid", "entry_ids", "created_at"],
            select(
                conv.c.id,
                constant("in", message.direction),
                constant(Author.guest, message.author),
                param("body", message.body),
                param("twilio_sid", message.twilio_sid),
                constant([], message.entry_ids),
                param("created_at", message.created_at),
            ),
        )
        .on_conflict_do_nothing(index_elements=["twilio_sid"])
        .returning(col(Message.id), col(Message.conversation_id))
        .cte("msg")
    )
    job = Job.__table__.c  # type: ignore[attr-defined]
    return (
        sa_insert(Job)
        .from_select(
            ["conversation_id", "message_id", "status", "attempts", "created_at", "available_at"],
            select(
                msg.c.conversation_id,
                msg.c.id,
                constant(JobStatus.pending.value, job.status),
                constant(0, job.attempts),
                param("created_at", job.created_at),
                param("created_at", job.available_at),
            ),
        )
        .returning(col(Job.message_id), col(Job.conversation_id))
    )
