"""The hand-off card: what a person needs to understand an escalation at a glance."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from concierge.conversation import service as conversation_service
from concierge.conversation.models import Author, Conversation, Job, Message, Trace
from escalation.models import ConversationNote, Escalation
from knowledge import service as knowledge_service
from knowledge.models import Property, Reservation

REFUSALS = {"secret_blocked", "access_request"}
EXCERPT_CHARS = 140


@dataclass
class HandoffCard:
    """The escalation with its context: reason and trigger, guest, stay, what the bot said and cited."""

    escalation: Escalation
    conversation: Conversation
    property_name: str
    trigger: str
    reservation: Reservation | None
    cited: list[str]  # knowledge topics the bot quoted in this conversation
    refused: list[str]  # what the bot withheld or refused, with the reason
    promised: list[str]  # what the bot told the guest people would do
    reasons: list[str]
    transcript: list[Message] = field(default_factory=list)
    notes: list[ConversationNote] = field(default_factory=list)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """A one-line excerpt of a message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _transcript(session: Session, conversation_id: int) -> list[Message]:
    return list(
        session.exec(select(Message).where(Message.conversation_id == conversation_id).order_by(col(Message.id)))
    )


def stay_of(session: Session, conversation: Conversation, today: date) -> Reservation | None:
    """The booking behind the conversation's number (its own or a linked one), current or coming."""
    phone = conversation_service.guest_phone(conversation.guest_address)
    return knowledge_service.reservation_for(session, property_id=conversation.property_id, phone=phone, today=today)


def _turns(session: Session, conversation_id: int) -> list[tuple[Trace, int]]:
    """Each turn's trace with the guest message it answered."""
    rows = session.exec(
        select(Trace, Job.message_id)
        .join(Job, col(Job.id) == col(Trace.job_id))
        .where(Trace.conversation_id == conversation_id)
        .order_by(col(Trace.id))
    )
    return [(trace, message_id) for trace, message_id in rows]


def _said_after(messages: list[Message], message_id: int) -> Message | None:
    return next((m for m in messages if m.id is not None and m.id > message_id and m.direction == "out"), None)


def build_card(session: Session, *, escalation: Escalation, today: date) -> HandoffCard:
    """Assemble the hand-off card from the transcript, the turns' traces and the reservation."""
    conversation = session.get_one(Conversation, escalation.conversation_id)
    messages = _transcript(session, escalation.conversation_id)
    by_id = {m.id: m for m in messages}
    trigger = by_id.get(escalation.message_id)
    cited: list[str] = []
    for message in messages:
        for topic in message.entry_ids if message.author == Author.bot else []:
            if topic not in cited:
                cited.append(topic)
    refused: list[str] = []
    promised: list[str] = []
    for trace, message_id in _turns(session, escalation.conversation_id):
        data: dict[str, Any] = trace.data
        asked = by_id.get(message_id)
        reply = _said_after(messages, message_id)
        label = excerpt(asked.body, 60) if asked else "?"
        for check in data.get("checks") or []:
            refused.append(f"{check} ← “{label}”")
        if data.get("escalate") in REFUSALS or data.get("verdict") == "refuse":
            refused.append(f"{data.get('escalate') or 'refused'} ← “{label}”")
        if data.get("escalate") and reply is not None:
            promised.append(excerpt(reply.body))
    prop = session.get_one(Property, escalation.property_id)
    return HandoffCard(
        escalation=escalation,
        conversation=conversation,
        property_name=prop.name,
        trigger=trigger.body if trigger else escalation.detail,
        reservation=stay_of(session, conversation, today),
        cited=cited,
        refused=refused,
        promised=promised,
        reasons=[escalation.reason, *(r["reason"] for r in escalation.reasons)],
        transcript=messages,
        notes=list(
            session.exec(
                select(ConversationNote)
                .where(ConversationNote.conversation_id == escalation.conversation_id)
                .order_by(col(ConversationNote.id))
            )
        ),
    )


def summarize(session: Session, *, escalation: Escalation, today: date) -> str:
    """A short, deterministic summary: who, which stay, how much was said, and what triggered the hand-off."""
    card = build_card(session, escalation=escalation, today=today)
    guest_messages = sum(1 for m in card.transcript if m.direction == "in")
    stay = card.reservation
    who = (
        f"{stay.guest_name}, {stay.check_in:%d %b}–{stay.check_out:%d %b}, {stay.guests} guest(s)"
        if stay
        else "sender without a reservation"
    )
    parts = [
        f"{who}; {card.conversation.channel}; language {escalation.language or '?'}",
        f"{guest_messages} guest message(s); bot quoted: {', '.join(card.cited) or 'nothing'}",
        f"{escalation.reason} ({escalation.urgency}): “{excerpt(card.trigger)}”",
    ]
    if card.refused:
        parts.append("refused: " + "; ".join(card.refused[-3:]))
    return ". ".join(parts) + "."
