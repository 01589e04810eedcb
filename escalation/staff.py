"""Staff writing: replies to the guest (WhatsApp 24-hour window and its approved template) and internal notes."""

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from concierge.conversation import service as conversation_service
from concierge.conversation.models import Author, Channel, Conversation, Message, Outbox, OutboxStatus
from concierge.core.errors import Conflict, InvalidInput
from escalation.models import ConversationNote
from escalation.service import take_over, unresolved
from knowledge import service as knowledge_service
from knowledge.models import Property

log = logging.getLogger(__name__)

WHATSAPP_WINDOW = timedelta(hours=24)
# What a template variable may say besides plain text: filled in from the conversation when it is sent.
TEMPLATE_FIELDS = ("guest_name", "property_name")
# Twilio's code when WhatsApp refuses free text outside the 24-hour window (and its neighbours for the same cause).
WINDOW_ERRORS = frozenset({"63016"})
FAILED = (OutboxStatus.failed, OutboxStatus.undelivered)


class WindowClosed(Conflict):
    """WhatsApp only delivers free text within 24 hours of the guest's last message."""


class NoTemplate(Conflict):
    """The property has no approved WhatsApp template configured."""


@dataclass(frozen=True)
class Template:
    content_sid: str
    variables: dict[str, str]  # as configured: "{guest_name}" and "{property_name}" are filled in at send time
    preview: str  # the approved text with {{1}}-style placeholders, for the transcript; may be empty


def whatsapp_window_open(session: Session, *, conversation: Conversation, now: datetime) -> bool:
    """Whether free text can reach the guest: always on SMS, within 24 h of their last message on WhatsApp."""
    if conversation.channel != Channel.whatsapp:
        return True
    last = session.exec(
        select(Message.created_at)
        .where(Message.conversation_id == conversation.id, Message.direction == "in")
        .order_by(col(Message.id).desc())
        .limit(1)
    ).first()
    return last is not None and now - last < WHATSAPP_WINDOW


def staff_reply(session: Session, *, conversation_id: int, staff_id: str, body: str, now: datetime) -> Outbox:
    """A staff member writes to the guest: they own the conversation from now on, the reply goes out the outbox."""
    text = body.strip()
    if not text:
        raise InvalidInput(["body: write a reply first"])
    conversation = take_over(session, conversation_id=conversation_id, staff_id=staff_id, now=now)
    if not whatsapp_window_open(session, conversation=conversation, now=now):
        raise WindowClosed(
            "The guest last wrote more than 24 hours ago: WhatsApp only delivers an approved template now."
        )
    return conversation_service.enqueue_reply(
        session, conversation=conversation, body=text, author=Author.staff, now=now
    )


def template_for(prop: Property) -> Template | None:
    """The property's approved WhatsApp template (from its pack), if one is configured."""
    data = prop.whatsapp_template or {}
    if not data.get("content_sid"):
        return None
    return Template(
        content_sid=str(data["content_sid"]),
        variables={str(k): str(v) for k, v in (data.get("variables") or {}).items()},
        preview=str(data.get("preview") or ""),
    )


def template_values(
    session: Session, *, conversation: Conversation, template: Template, now: datetime
) -> dict[str, str]:
    """The template's variables with the guest's name and the property's name filled in."""
    prop = session.get_one(Property, conversation.property_id)
    phone = conversation.guest_address.removeprefix("whatsapp:")
    stay = knowledge_service.reservation_for(session, property_id=prop.id or 0, phone=phone, today=now.date())
    fields = {"guest_name": stay.guest_name.split()[0] if stay else "", "property_name": prop.name}
    return {key: value.format(**fields) for key, value in template.variables.items()}


def render_preview(template: Template, values: dict[str, str]) -> str:
    """The approved text with its {{n}} placeholders replaced, as the transcript shows it."""
    if not template.preview:
        return f"[WhatsApp template {template.content_sid}]"
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: values.get(m.group(1), m.group(0)), template.preview)


def send_template(session: Session, *, conversation_id: int, staff_id: str, now: datetime) -> Outbox:
    """Send the property's approved WhatsApp template through the outbox (the way back in after 24 hours)."""
    conversation = take_over(session, conversation_id=conversation_id, staff_id=staff_id, now=now)
    if conversation.channel != Channel.whatsapp:
        raise InvalidInput(["channel: approved templates are for WhatsApp conversations"])
    template = template_for(session.get_one(Property, conversation.property_id))
    if template is None:
        raise NoTemplate("This property has no approved WhatsApp template: add one to its pack (whatsapp_template).")
    values = template_values(session, conversation=conversation, template=template, now=now)
    body = render_preview(template, values)[:1000]  # one message: a template is never split
    row = conversation_service.enqueue_reply(
        session, conversation=conversation, body=body, author=Author.staff, now=now
    )
    row.content_sid = template.content_sid
    row.content_variables = json.dumps(values, ensure_ascii=False, sort_keys=True)
    session.flush()
    log.info("whatsapp template queued", extra={"conversation_id": conversation_id, "outbox_id": row.id})
    return row


def delivery_problems(session: Session, *, conversation_id: int) -> dict[int, Outbox]:
    """Replies Twilio failed or could not deliver, by transcript message id (e.g. 63016 outside the window)."""
    rows = session.exec(select(Outbox).where(Outbox.conversation_id == conversation_id, col(Outbox.status).in_(FAILED)))
    return {row.message_id: row for row in rows}


def add_note(session: Session, *, conversation_id: int, author: str, body: str, now: datetime) -> ConversationNote:
    """An internal note on the conversation; it is never sent to the guest."""
    current = unresolved(session, conversation_id=conversation_id)
    note = ConversationNote(
        conversation_id=conversation_id,
        escalation_id=current.id if current else None,
        author=author,
        body=body,
        created_at=now,
    )
    session.add(note)
    session.flush()
    return note


def notes(session: Session, *, conversation_id: int) -> list[ConversationNote]:
    """A conversation's internal notes, oldest first."""
    return list(
        session.exec(
            select(ConversationNote)
            .where(ConversationNote.conversation_id == conversation_id)
            .order_by(col(ConversationNote.id))
        )
    )
