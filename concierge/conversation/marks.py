"""Marks on bot replies: staff and owners say whether a reply was right, guests can say it was wrong.

A staff mark (anything but `guest`) also keeps a regression case for the property: the guest's words with
phone numbers and names removed, the turns before them it needs, the knowledge version and what the reply
should have done (`expect_kind`: the realistic suites' kinds; `expect_topics`). `concierge eval --marked`
plays those cases (concierge/ops/evals/marked.py). An owner can delete a case; the mark itself stays.
"""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column, Select, Text
from sqlmodel import Field, Session, SQLModel, col, func, select

from concierge.conversation.models import Author, Conversation, Job, Message, Trace
from concierge.core.modelbase import utcnow

RIGHT, WRONG_TOPIC, WRONG_FACTS, HAND_OVER, ANSWER, NO_ENTRY, GUEST = (
    "right",
    "wrong-topic",
    "wrong-facts",
    "should-hand-over",
    "should-answer",
    "no-entry",  # no entry answers this yet: the owner's fix is a new entry (until then, hand it over)
    "guest-wrong",
)
STAFF_VERDICTS = (RIGHT, WRONG_TOPIC, WRONG_FACTS, HAND_OVER, ANSWER, NO_ENTRY)
WRONG = (WRONG_TOPIC, WRONG_FACTS, HAND_OVER, ANSWER, NO_ENTRY, GUEST)


class ReplyMark(SQLModel, table=True):
    """One mark on one bot reply, and the regression case it keeps (for staff marks)."""

    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="property.id", index=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    reply_message_id: int = Field(foreign_key="message.id", index=True)
    verdict: str = Field(max_length=32)  # one of STAFF_VERDICTS, or GUEST
    user_id: int | None = Field(default=None, foreign_key="user.id")  # None: the guest said it
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    knowledge_version: int | None = None  # the version the reply was given from
    # The case: the guest's messages (PII removed), the expectation; empty for a guest's mark.
    messages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    language: str = Field(default="en", max_length=16)
    guest: str = Field(default="unknown", max_length=16)  # the eval guest kind: booked or unknown
    expect_kind: str = Field(default="", max_length=16)  # "" : no case
    expect_topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    case_deleted: bool = False
    created_at: datetime = Field(default_factory=utcnow, index=True)


def reply_of(session: Session, *, message_id: int) -> Message | None:
    """A bot reply by id (None for any other message)."""
    message = session.get(Message, message_id)
    return message if message is not None and message.author == Author.bot and message.direction == "out" else None


def trace_of(session: Session, *, reply: Message) -> Trace | None:
    """The trace of the turn that sent this reply (None for replies without one)."""
    return session.exec(select(Trace).where(Trace.reply_message_id == reply.id)).first()


def answered(session: Session, *, reply: Message) -> Message | None:
    """The guest message the reply answered (its trace's job), or the last guest message before it."""
    trace = trace_of(session, reply=reply)
    if trace is not None:
        job = session.get(Job, trace.job_id)
        if job is not None:
            return session.get(Message, job.message_id)
    return session.exec(
        select(Message)
        .where(Message.conversation_id == reply.conversation_id, Message.direction == "in", col(Message.id) < reply.id)
        .order_by(col(Message.id).desc())
    ).first()


def guest_messages_before(session: Session, *, message: Message, limit: int) -> list[Message]:
    """Up to `limit` guest messages of the conversation before this one, oldest first."""
    rows = session.exec(
        select(Message)
        .where(
            Message.conversation_id == message.conversation_id,
            Message.direction == "in",
            col(Message.id) < message.id,
        )
        .order_by(col(Message.id).desc())
        .limit(limit)
    )
    return list(reversed(list(rows)))


def reply_topics(reply: Message) -> list[str]:
    """The topics a reply was given from (its entry ids are the entries' topics)."""
    return [str(t) for t in reply.entry_ids]


def add(session: Session, mark: ReplyMark) -> ReplyMark:
    """Store a mark in the current transaction."""
    session.add(mark)
    session.flush()
    return mark


def marks_of(session: Session, *, conversation_id: int) -> dict[int, list[ReplyMark]]:
    """The marks of a conversation's replies, by reply message id, oldest first."""
    found: dict[int, list[ReplyMark]] = {}
    rows = session.exec(
        select(ReplyMark).where(ReplyMark.conversation_id == conversation_id).order_by(col(ReplyMark.id))
    )
    for mark in rows:
        found.setdefault(mark.reply_message_id, []).append(mark)
    return found


def cases(session: Session, *, property_id: int) -> list[ReplyMark]:
    """The property's regression cases (staff marks with an expectation, not deleted), oldest first."""
    return list(
        session.exec(
            select(ReplyMark)
            .where(
                ReplyMark.property_id == property_id,
                ReplyMark.expect_kind != "",
                col(ReplyMark.case_deleted).is_(False),
            )
            .order_by(col(ReplyMark.id))
        )
    )


def last_reply_before(session: Session, *, message: Message) -> Message | None:
    """The conversation's message right before this one, if it is a bot reply."""
    previous = session.exec(
        select(Message)
        .where(Message.conversation_id == message.conversation_id, col(Message.id) < message.id)
        .order_by(col(Message.id).desc())
    ).first()
    return previous if previous is not None and previous.author == Author.bot else None


def rejected() -> Select[Any]:
    """Replies whose latest staff mark says "right" (a guest's "that's wrong" about them was rejected)."""
    latest = (
        select(func.max(ReplyMark.id))
        .where(col(ReplyMark.user_id).is_not(None))
        .group_by(col(ReplyMark.reply_message_id))
        .correlate(None)  # a list of its own, never tied to the query it is used in
    )
    return (
        select(ReplyMark.reply_message_id)
        .where(col(ReplyMark.id).in_(latest), ReplyMark.verdict == RIGHT)
        .correlate(None)
    )


def wrong_replies(property_id: int | None = None) -> Select[Any]:
    """The ids of replies that count as marked wrong (of one property, or of all)."""
    query = (
        select(ReplyMark.reply_message_id)
        .where(col(ReplyMark.verdict).in_(WRONG), col(ReplyMark.reply_message_id).not_in(rejected()))
        .correlate(None)
    )
    return query.where(ReplyMark.property_id == property_id) if property_id is not None else query


def wrong_per_week(session: Session, *, property_id: int, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Per week (its Monday, oldest first): bot replies sent, of them marked wrong, and marked wrong per 100."""
    in_scope = select(Conversation.id).where(Conversation.property_id == property_id)
    wrong = wrong_replies(property_id)
    sent = session.exec(  # one query: each reply with whether it was marked wrong
        select(Message.created_at, col(Message.id).in_(wrong)).where(
            col(Message.conversation_id).in_(in_scope),
            Message.author == Author.bot,
            col(Message.created_at) >= since,
            col(Message.created_at) < until,
        )
    ).all()
    weeks: dict[date, list[int]] = {}
    for at, marked_wrong in sent:
        counts = weeks.setdefault(at.date() - timedelta(days=at.weekday()), [0, 0])
        counts[0] += 1
        counts[1] += bool(marked_wrong)
    return [
        {"week": week, "replies": n, "wrong": w, "per_100": round(100 * w / n, 1)}
        for week, (n, w) in sorted(weeks.items())
    ]


def wrong_rate(session: Session, *, since: datetime, until: datetime, property_id: int | None = None) -> float | None:
    """Bot replies sent in [since, until) marked wrong (by staff or a guest), as a share; None without replies."""
    sent = select(Message.id).where(
        Message.author == Author.bot, col(Message.created_at) >= since, col(Message.created_at) < until
    )
    if property_id is not None:
        in_scope = select(Conversation.id).where(Conversation.property_id == property_id)
        sent = sent.where(col(Message.conversation_id).in_(in_scope))
    replies = session.exec(select(func.count()).select_from(sent.subquery())).one()
    wrong = session.exec(
        select(func.count()).select_from(
            wrong_replies(property_id).where(col(ReplyMark.reply_message_id).in_(sent)).distinct().subquery()
        )
    ).one()
    return round(wrong / replies, 4) if replies else None
