"""Queuing replies: a turn's plain inserts (`queue_reply`) write exactly the rows the ORM's `enqueue_reply` writes."""

from typing import Any

from sqlmodel import Session, col, select

from concierge.conversation import service
from concierge.conversation.models import Author, Conversation, Message, Outbox, OutboxStatus
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from knowledge.models import Property
from tests.factories import PROPERTY_NUMBER

# Three paragraphs of about 200 characters: an SMS reply of three parts.
LONG_REPLY = "\n\n".join(
    f"Part {n}: " + "the pool is open from ten to eight, towels are by the door. " * 3 for n in (1, 2, 3)
)


def _conversation(s: Session, prop: Property, guest: str) -> Conversation:
    assert prop.id is not None
    conversation = Conversation(
        property_id=prop.id, channel="sms", guest_address=guest, property_address=PROPERTY_NUMBER
    )
    s.add(conversation)
    s.flush()
    return conversation


def _rows(s: Session, conversation_id: int | None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Each message with its outbox row, in id order, without the ids that differ between two conversations."""
    found = s.exec(
        select(Message, Outbox)
        .join(Outbox, col(Outbox.message_id) == col(Message.id))
        .where(Message.conversation_id == conversation_id)
        .order_by(col(Message.id))
    ).all()
    ids = {"id", "conversation_id", "message_id", "to_address"}
    return [
        (
            {k: v for k, v in message.model_dump().items() if k not in ids},
            {k: v for k, v in outbox.model_dump().items() if k not in ids},
        )
        for message, outbox in found
    ]


def test_a_queued_reply_writes_the_rows_enqueue_reply_writes(prop: Property) -> None:
    now = utcnow()
    reply = {"body": LONG_REPLY, "author": Author.bot, "now": now, "language": "en", "knowledge_version": 3}
    with session_scope() as s:
        orm, plain = _conversation(s, prop, "+34611111111"), _conversation(s, prop, "+34622222222")
        first = service.enqueue_reply(s, conversation=orm, entry_ids=["pool"], **reply)
        first_id = service.queue_reply(s, conversation=plain, entry_ids=["pool"], **reply)
        orm_id, plain_id = orm.id, plain.id
    with session_scope() as s:
        expected, written = _rows(s, orm_id), _rows(s, plain_id)
        outbox = s.exec(select(Outbox).where(Outbox.message_id == first_id)).one()
    assert len(written) == 3 and written == expected
    assert [m["body"] for m, _ in written] == [o["body"] for _, o in written]
    assert outbox.status == OutboxStatus.pending and outbox.attempts == 0 and outbox.to_address == "+34622222222"
    assert outbox.body.startswith("Part 1") and first.body.startswith("Part 1")  # the first part's, as enqueue_reply
