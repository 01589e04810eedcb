"""The hand-off card: what a person needs to understand an escalation at a glance."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from concierge.conversation import service as conversation_service
from concierge.conversation.models import Author, Conversation, Job, Message, Trace
from concierge.guard.output import promises
from concierge.llm.types import Responder
from escalation.models import ConversationNote, Escalation
from knowledge import service as knowledge_service
from knowledge.models import Property, Reservation

REFUSALS = {"secret_blocked", "access_request"}
OUR_TEXTS = {r.value for r in Responder}  # fixed catalog texts (refusals, hand-off notices): they commit to nothing
EXCERPT_CHARS = 140


@dataclass(frozen=True)
class Stay:
    """The number's booking as staff see it: current, coming, ended (a past guest), or none at all."""

    state: str  # "current" | "coming" | "ended" | "none"
    reservation: Reservation | None = None


@dataclass(frozen=True)
class Said:
    """What the card lists: a reason or a refusal (a key `notify.reason_label` puts in words) and the guest's words."""

    reason: str
    text: str


@dataclass
class HandoffCard:
    """The escalation with its context: reason and trigger, guest, stay, what the bot said and cited."""

    escalation: Escalation
    conversation: Conversation
    property_name: str
    reason: str  # the most urgent open reason
    trigger: str  # the guest message that raised it
    reservation: Reservation | None
    cited: list[str]  # knowledge topics the bot quoted in this conversation
    refused: list[Said]  # each refusal (or withheld reply) with the guest message it answered
    promised: list[str]  # commitments in the bot's own replies (refund, discount, …): normally none
    reasons: list[Said]  # every reason with the message that raised it, oldest first
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


def stay_status(session: Session, conversation: Conversation, today: date) -> Stay:
    """Current or coming stay, else the last ended one (a past guest is not unknown), else none."""
    reservation = stay_of(session, conversation, today)
    if reservation is not None:
        return Stay("current" if reservation.check_in <= today else "coming", reservation)
    phone = conversation_service.guest_phone(conversation.guest_address)
    past = knowledge_service.last_stay(session, property_id=conversation.property_id, phone=phone)
    return Stay("ended", past) if past is not None else Stay("none")


def _turns(session: Session, conversation_id: int) -> list[tuple[Trace, int]]:
    """Each turn's trace with the guest message it answered."""
    rows = session.exec(
        select(Trace, Job.message_id)
        .join(Job, col(Job.id) == col(Trace.job_id))
        .where(Trace.conversation_id == conversation_id)
        .order_by(col(Trace.id))
    )
    return [(trace, message_id) for trace, message_id in rows]


def build_card(session: Session, *, escalation: Escalation, today: date) -> HandoffCard:
    """Assemble the hand-off card from the transcript, the turns' traces and the reservation."""
    conversation = session.get_one(Conversation, escalation.conversation_id)
    messages = _transcript(session, escalation.conversation_id)
    by_id = {m.id: m for m in messages}
    cited: list[str] = []
    for message in messages:
        for topic in message.entry_ids if message.author == Author.bot else []:
            if topic not in cited:
                cited.append(topic)
    version = knowledge_service.published_version(session, property_id=escalation.property_id)
    stated = [text for entry in (version.entries if version else []) for text in entry["content"].values()]
    refused: list[Said] = []
    promised: list[str] = []
    for trace, message_id in _turns(session, escalation.conversation_id):
        data: dict[str, Any] = trace.data
        asked = by_id.get(message_id)
        said = excerpt(asked.body, 80) if asked else "?"
        screen = data.get("screen") or {}
        if data.get("checks"):
            refused.append(Said("output_blocked", said))
        elif data.get("escalate") in REFUSALS:
            refused.append(Said(str(data["escalate"]), said))
        elif data.get("outcome") == "refuse" and data.get("verdict") == "screened":  # not a rate-limit pause
            refused.append(Said(f"policy:{screen.get('category')}", said))
        reply = by_id.get(trace.reply_message_id) if trace.reply_message_id else None
        if reply is not None and data.get("responder") not in OUR_TEXTS and promises(reply.body, stated):
            promised.append(excerpt(reply.body))
    top = escalation.top()
    trigger = by_id.get(top.message_id)
    prop = session.get_one(Property, escalation.property_id)
    return HandoffCard(
        escalation=escalation,
        conversation=conversation,
        property_name=prop.name,
        reason=top.reason,
        trigger=trigger.body if trigger else escalation.detail,
        reservation=stay_of(session, conversation, today),
        cited=cited,
        refused=refused,
        promised=promised,
        reasons=[
            Said(r.reason, excerpt(by_id[r.message_id].body, 80) if r.message_id in by_id else "")
            for r in escalation.raised()
        ],
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
        f"{card.reason} ({escalation.urgency}): “{excerpt(card.trigger)}”",
    ]
    if card.refused:
        parts.append("refused: " + "; ".join(f"{r.reason} ← “{r.text}”" for r in card.refused[-3:]))
    return ". ".join(parts) + "."
