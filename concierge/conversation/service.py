"""Conversation service: store inbound messages, load what a turn reads, queue replies, read transcripts."""

import itertools
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, case, insert, literal
from sqlmodel import Session, col, func, select

from concierge.conversation.formatting import split_reply
from concierge.conversation.inbound import receive as receive  # the conversation's entry point, re-exported
from concierge.conversation.models import (
    Author,
    Conversation,
    Message,
    Outbox,
    Trace,
)
from concierge.core.db import Detached
from knowledge import service as knowledge_service
from knowledge.models import KnowledgeVersion, Property, Reservation

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PastMessage:
    """An earlier message of the conversation, as a turn reads it (its history: no ORM object per message)."""

    direction: str  # "in" | "out"
    author: str  # an Author
    body: str
    entry_ids: list[str]  # the topics a bot reply answered from


@dataclass(frozen=True)
class Turn:
    """Everything a turn reads, loaded in one place."""

    message: Message
    conversation: Conversation
    property: Property
    reservation: Reservation | None
    history: list[PastMessage]
    knowledge: KnowledgeVersion | None
    offered: list[str]  # the topics our latest reply asked the guest to choose from, when it was a clarifying question
    considered: list[tuple[str, float]]  # the topics our latest reply's retrieval ranked for the guest's message
    inbound: int  # messages the sender wrote in the rate window, up to and including this one (either channel)


_WHATSAPP = "whatsapp:"


def guest_phone(address: str) -> str:
    """The phone number behind a channel address ("whatsapp:+34…" → "+34…")."""
    return address.removeprefix(_WHATSAPP)


# What a turn reads, in two statements built once (building a statement cost more than running it): the message
# with its conversation, property and published knowledge version (the newest: versions are immutable), then the
# conversation's recent history, with what the trace of each bot reply says it asked (no statement of its own).
# Both are plain Core selects run on the session's connection, their rows made into objects here: the ORM's
# loading of five objects and ten history messages cost more than the two statements (docs/benchmarks.md, eighth
# pass).
_MESSAGE, _CONVERSATION = Detached(Message), Detached(Conversation)
_PROPERTY, _VERSION, _STAY = Detached(Property), Detached(KnowledgeVersion), Detached(Reservation)
_TURN_PARTS: tuple[Detached[Any], ...] = (_MESSAGE, _CONVERSATION, _PROPERTY, _VERSION, _STAY)
_M, _C, _P, _V, _R = (part.table.c for part in _TURN_PARTS)
# `guest_phone` in SQL, for the guest's stay (an equality, case-sensitive like `removeprefix`, where LIKE is not).
_PHONE = case(
    (func.substr(_C.guest_address, 1, len(_WHATSAPP)) == _WHATSAPP, func.substr(_C.guest_address, len(_WHATSAPP) + 1)),
    else_=_C.guest_address,
)
_ENDS = list(itertools.accumulate(len(part.columns) for part in _TURN_PARTS))
_SPANS = [slice(end - len(part.columns), end) for part, end in zip(_TURN_PARTS, _ENDS, strict=True)]  # in a row
_NEWER = _VERSION.table.alias("newer")
# The sender's guest messages since the rate window began, up to and including this one; SMS and WhatsApp count as
# one sender (the screen's rate limit decides with it).
_SENT, _SENDER = _MESSAGE.table.alias("sent"), _CONVERSATION.table.alias("sender")
_INBOUND = (
    select(func.count(_SENT.c.id))
    .join_from(_SENT, _SENDER, _SENDER.c.id == _SENT.c.conversation_id)
    .where(
        _SENDER.c.guest_address.in_([_PHONE, literal(_WHATSAPP).concat(_PHONE)]),
        _SENT.c.direction == "in",
        _SENT.c.created_at >= bindparam("since"),
        _SENT.c.id <= _M.id,
    )
    .correlate_except(_SENT, _SENDER)
    .scalar_subquery()
)
_TURN = (
    select(*[*(column for part in _TURN_PARTS for column in part.columns), _INBOUND])
    .select_from(_MESSAGE.table)
    .join(_CONVERSATION.table, _C.id == _M.conversation_id)
    .join(_PROPERTY.table, _P.id == _C.property_id)
    .outerjoin(
        _VERSION.table,
        (_V.property_id == _P.id)
        & (_V.version == select(func.max(_NEWER.c.version)).where(_NEWER.c.property_id == _P.id).scalar_subquery()),
    )
    .outerjoin(_STAY.table, _R.id == knowledge_service.stay_of(_P.id, _PHONE, bindparam("today")))
    .where(_M.id == bindparam("message_id"))
)
_T = Trace.__table__.c  # type: ignore[attr-defined]
_HISTORY = (
    select(
        *[
            _M.id,
            _M.direction,
            _M.author,
            _M.body,
            _M.entry_ids,
            _T.data["outcome"].as_string(),
            _T.data["clarify"],
            _T.data["candidates"],
        ]
    )
    .select_from(_MESSAGE.table)
    .outerjoin(Trace.__table__, _T.reply_message_id == _M.id)  # type: ignore[attr-defined]
    .where(_M.conversation_id == bindparam("conversation_id"), _M.id < bindparam("message_id"))
    .order_by(_M.id.desc())
    .limit(bindparam("history"))
)


def load_turn(session: Session, *, message_id: int, today: date, history: int, since: datetime) -> Turn:
    """The message to answer with its conversation, property, reservation, recent history and knowledge, and how
    many messages its sender wrote from `since` up to it."""
    connection = session.connection()
    row = connection.execute(_TURN, {"message_id": message_id, "today": today, "since": since}).one()
    message, conversation = _MESSAGE.build(row[_SPANS[0]]), _CONVERSATION.build(row[_SPANS[1]])
    prop, version = _PROPERTY.build(row[_SPANS[2]]), row[_SPANS[3]]
    knowledge = _VERSION.build(version) if _VERSION.loaded(version) else None  # None: nothing published yet
    stay = row[_SPANS[4]]
    assert prop.id is not None
    params = {"conversation_id": conversation.id, "message_id": message_id, "history": history}
    rows = connection.execute(_HISTORY, params).all()  # newest first
    last_reply = next((r for r in rows if r.direction == "out"), None)
    asked = last_reply is not None and last_reply[5] == "clarify" and isinstance(last_reply[6], list)
    return Turn(
        message=message,
        conversation=conversation,
        property=prop,
        reservation=_STAY.build(stay) if _STAY.loaded(stay) else None,  # as `knowledge_service.reservation_for`
        history=[PastMessage(r.direction, r.author, r.body, r.entry_ids) for r in reversed(rows)],
        knowledge=knowledge,
        offered=[str(t) for t in last_reply[6]] if asked and last_reply else [],
        considered=_considered(last_reply[7] if last_reply else None),
        inbound=int(row[-1]),
    )


def _considered(candidates: Any) -> list[tuple[str, float]]:
    """The topics and scores a trace's retrieval ranked, best first (none when the trace holds none)."""
    if not isinstance(candidates, list):
        return []
    return [
        (str(c["topic"]), float(c["score"]))
        for c in candidates
        if isinstance(c, dict) and "topic" in c and isinstance(c.get("score"), int | float)
    ]


def enqueue_reply(
    session: Session,
    *,
    conversation: Conversation,
    body: str,
    author: Author,
    now: datetime,
    language: str | None = None,
    knowledge_version: int | None = None,
    entry_ids: list[str] | None = None,
) -> Outbox:
    """Add an outbound message to the transcript and queue it for delivery; the first part's row is returned.

    A reply too long for the channel is split (channels/formatting.py): one message and outbox row per part,
    in order, so each part is delivered and reconciled like any reply.
    """
    rows: list[Outbox] = []
    for message_values, outbox_values in _reply_rows(
        conversation,
        body=body,
        author=author,
        now=now,
        language=language,
        knowledge_version=knowledge_version,
        entry_ids=entry_ids,
    ):
        message = Message(**message_values)
        session.add(message)
        session.flush()
        assert message.id is not None
        outbox = Outbox(**outbox_values, message_id=message.id)
        session.add(outbox)
        session.flush()  # per part: row ids give the delivery order
        rows.append(outbox)
    return rows[0]


# A turn's reply is written with these, built once: plain inserts cost a fraction of the ORM's flushes, and a turn
# writes one every time (docs/benchmarks.md, issue 22).
_MESSAGES: Table = Message.__table__  # type: ignore[attr-defined]
_OUTBOXES: Table = Outbox.__table__  # type: ignore[attr-defined]
_INSERT_MESSAGE = insert(_MESSAGES).returning(_MESSAGES.c.id)
_INSERT_OUTBOX = insert(_OUTBOXES)


def queue_reply(
    session: Session,
    *,
    conversation: Conversation,
    body: str,
    author: Author,
    now: datetime,
    language: str | None = None,
    knowledge_version: int | None = None,
    entry_ids: list[str] | None = None,
) -> int:
    """`enqueue_reply`'s rows, written with plain inserts: no ORM objects (the session does not hold them), no
    flush; the first part's message id."""
    message_ids: list[int] = []
    for message_values, outbox_values in _reply_rows(
        conversation,
        body=body,
        author=author,
        now=now,
        language=language,
        knowledge_version=knowledge_version,
        entry_ids=entry_ids,
    ):
        message_id: int = session.execute(_INSERT_MESSAGE, message_values).scalar_one()
        session.execute(_INSERT_OUTBOX, {**outbox_values, "message_id": message_id})  # in order: ids give the order
        message_ids.append(message_id)
    return message_ids[0]


def _reply_rows(
    conversation: Conversation,
    *,
    body: str,
    author: Author,
    now: datetime,
    language: str | None,
    knowledge_version: int | None,
    entry_ids: list[str] | None,
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Each part's transcript message and outbox row, as column values (the row's message id still to come)."""
    assert conversation.id is not None
    return [
        (
            {
                "conversation_id": conversation.id,
                "direction": "out",
                "author": author,
                "body": part,
                "language": language,
                "knowledge_version": knowledge_version,
                "entry_ids": entry_ids or [],
                "created_at": now,
            },
            {
                "conversation_id": conversation.id,
                "channel": conversation.channel,
                "to_address": conversation.guest_address,
                "from_address": conversation.property_address,
                "body": part,
                "author": author,
                "created_at": now,
                "next_attempt_at": now,
            },
        )
        for part in split_reply(body, channel=conversation.channel) or [body]
    ]


def conversation_messages(session: Session, *, conversation_id: int) -> list[Message]:
    """A conversation's transcript, oldest first."""
    return list(
        session.exec(select(Message).where(Message.conversation_id == conversation_id).order_by(col(Message.id)))
    )


def find_conversation(session: Session, *, property_id: int, channel: str, guest_address: str) -> Conversation | None:
    """The conversation of this guest address on this channel, if it exists."""
    return session.exec(
        select(Conversation).where(
            Conversation.property_id == property_id,
            Conversation.channel == channel,
            Conversation.guest_address == guest_address,
        )
    ).first()


def last_written_at(session: Session, *, conversation_id: int, authors: list[str]) -> datetime | None:
    """When the conversation's latest outbound message by one of these authors was written, if any."""
    return session.exec(
        select(Message.created_at)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == "out",
            col(Message.author).in_(authors),
        )
        .order_by(col(Message.id).desc())
        .limit(1)
    ).first()


def transcript_of(session: Session, *, slug: str, channel: str, guest_address: str) -> list[Message]:
    """The transcript of this guest address on a property (by slug) and channel; empty if none yet."""
    prop = knowledge_service.get_property(session, slug=slug)
    assert prop.id is not None
    conversation = find_conversation(session, property_id=prop.id, channel=channel, guest_address=guest_address)
    if conversation is None or conversation.id is None:
        return []
    return conversation_messages(session, conversation_id=conversation.id)
