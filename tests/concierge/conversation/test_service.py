"""Queuing replies: a turn's plain inserts (`queue_reply`) write exactly the rows the ORM's `enqueue_reply` writes."""

from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from concierge.conversation import service
from concierge.conversation.models import Author, Conversation, Message, Outbox, OutboxStatus
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from knowledge import service as knowledge_service
from knowledge.models import Property, Reservation, ReservationPhone
from tests.factories import ANA, JOHN, PROPERTY_NUMBER, STRANGER, store

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


def test_a_turn_reads_the_guests_stay_as_reservation_for_finds_it(prop: Property) -> None:
    """The turn's statement finds the stay itself (the guest's phone from the address, in SQL): the same stay as
    `reservation_for`, on SMS and WhatsApp, by a linked co-traveller's number, none for a stranger, and never
    another guest's (every guest's conversation exists when each turn is read)."""
    co_traveller = "+34622222222"
    with session_scope() as s:
        stays = {r.phone: r.id for r in s.exec(select(Reservation).where(Reservation.property_id == prop.id))}
        s.add(ReservationPhone(reservation_id=stays[ANA], phone=co_traveller))
    writers = [(ANA, "sms"), (ANA, "whatsapp"), (JOHN, "whatsapp"), (co_traveller, "whatsapp"), (STRANGER, "whatsapp")]
    messages = [store(prop, "hola", phone=phone, channel=channel).id for phone, channel in writers]
    today = utcnow().date()
    found = []
    with session_scope(readonly=True) as s:
        for (phone, _channel), message_id in zip(writers, messages, strict=True):
            assert message_id is not None and prop.id is not None
            turn = service.load_turn(s, message_id=message_id, today=today, history=10, since=utcnow())
            expected = knowledge_service.reservation_for(s, property_id=prop.id, phone=phone, today=today)
            assert (turn.reservation and turn.reservation.model_dump()) == (expected and expected.model_dump())
            found.append(turn.reservation.id if turn.reservation else None)
    assert found == [stays[ANA], stays[ANA], stays[JOHN], stays[ANA], None]


def test_a_turn_counts_its_senders_messages_in_the_rate_window_on_both_channels(prop: Property) -> None:
    """Up to and including the message: the sender's guest messages since the window began, SMS and WhatsApp as one
    sender; not other guests', not later ones, not replies, not before the window."""
    now = utcnow()
    store(prop, "too early", phone=ANA, at=now - timedelta(hours=2))
    first = store(prop, "hola", phone=ANA, at=now)
    store(prop, "someone else", phone=JOHN, at=now)
    with session_scope() as s:
        conversation = s.get_one(Conversation, first.conversation_id)
        service.queue_reply(s, conversation=conversation, body="¡Hola!", author=Author.bot, now=now)
    second = store(prop, "y el wifi?", phone=ANA, channel="whatsapp", at=now)
    store(prop, "later", phone=ANA, at=now)
    since = now - timedelta(hours=1)
    with session_scope(readonly=True) as s:
        counts = [
            service.load_turn(s, message_id=m.id or 0, today=now.date(), history=10, since=since).inbound
            for m in (first, second)
        ]
    assert counts == [1, 2]
