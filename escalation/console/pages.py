"""The staff console: the escalation queue (live over SSE), the conversation with its hand-off card, actions."""

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from sqlmodel import Session

from concierge.conversation import service as conversation_service
from concierge.conversation import traces
from concierge.conversation.models import Conversation, Message
from concierge.core.db import SessionDep, session_scope
from concierge.core.errors import NotFound
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.guard import privacy as guard_service
from concierge.i18n import N_, gettext_for
from concierge.llm.translate import Translator
from concierge.users.models import User
from concierge.users.service import user_properties, visible_property
from concierge.web import rendering
from concierge.web.auth import CheckedForm, current_user, require_role
from escalation import canned, handoff, notify, translations
from escalation import service as escalation_service
from escalation import staff as staff_service
from escalation.models import EscalationStatus
from knowledge import editing
from knowledge import service as knowledge_service
from knowledge.models import Property

router = APIRouter(prefix="/console", tags=["console"])
Staff = Annotated[User, Depends(require_role("staff", "owner"))]
SSE_POLL_SECONDS = 1.0
SSE_HEARTBEAT_SECONDS = 15.0


STATUSES = {
    EscalationStatus.open: N_("open"),
    EscalationStatus.claimed: N_("claimed"),
    EscalationStatus.resolved: N_("resolved"),
}


def page(request: Request, user: User, template: str, context: dict[str, Any]) -> Response:
    """A console page in the signed-in staff member's language, with the escalation status names."""
    return rendering.page(request, user, template, {"statuses": STATUSES, **context})


def _scope(session: Session, user: User) -> dict[int, Property]:
    return {p.id: p for p in user_properties(session, user=user) if p.id is not None}


def _conversation(session: Session, user: User, conversation_id: int, action: str) -> tuple[Conversation, Property]:
    """The conversation if the user may see its property (the access is audited); a 404 otherwise, as if missing."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("page not found")
    prop = session.get_one(Property, conversation.property_id)
    visible_property(session, user=user, slug=prop.slug)
    guard_service.record_access(session, user_id=user.id, action=action, conversation_id=conversation_id)
    return conversation, prop


def _age(since: datetime, now: datetime) -> str:
    minutes = int((now - since).total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"


def _queue_rows(session: Session, user: User) -> list[dict[str, Any]]:
    scope = _scope(session, user)
    now = utcnow()
    rows = []
    for e in escalation_service.queue(session, property_ids=list(scope)):
        trigger = session.get(Message, e.message_id) if e.message_id else None
        owner = session.get_one(Conversation, e.conversation_id).owner
        rows.append(
            {
                "e": e,
                "property": scope[e.property_id].name,
                "reason": notify.reason_label(e.reason, user.language),
                "urgency": notify.urgency_label(e.urgency, user.language),
                "age": _age(e.created_at, now),
                "trigger": handoff.excerpt(trigger.body if trigger else e.detail, 90),
                "owner": owner,
                "mine": owner == escalation_service.staff_owner(str(user.id)),
            }
        )
    return rows


@router.get("")
def queue_page(request: Request, session: SessionDep, user: Staff) -> Response:
    """Open escalations of the user's properties, most urgent and oldest first; updates live."""
    properties = list(_scope(session, user).values())
    return page(request, user, "console/queue.html", {"rows": _queue_rows(session, user), "properties": properties})


@router.get("/queue")
def queue_fragment(request: Request, session: SessionDep, user: Staff) -> Response:
    """The queue table alone, for the page to swap in when the event stream says it changed."""
    return page(request, user, "console/_queue.html", {"rows": _queue_rows(session, user)})


def _fingerprint(user_id: int, conversation_id: int | None) -> str:
    """A digest of what the page shows: the queue, or one conversation (owner, transcript, escalation, notes)."""
    with session_scope(readonly=True) as session:
        user = session.get(User, user_id)
        if user is None:
            return "gone"
        scope = _scope(session, user)
        state: list[Any]
        if conversation_id is None:
            state = [
                (e.id, e.status, e.urgency, e.claimed_by)
                for e in escalation_service.queue(session, property_ids=list(scope))
            ]
        else:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None or conversation.property_id not in scope:
                return "hidden"
            messages = conversation_service.conversation_messages(session, conversation_id=conversation_id)
            current = escalation_service.unresolved(session, conversation_id=conversation_id)
            state = [
                conversation.owner,
                messages[-1].id if messages else 0,
                (current.id, current.status, current.urgency) if current else None,
                len(staff_service.notes(session, conversation_id=conversation_id)),
            ]
    return hashlib.sha256(repr(state).encode()).hexdigest()[:16]


def _stream_user(request: Request) -> int:
    """The signed-in staff member's id, checked in a short read-only transaction (a stream must hold none)."""
    with session_scope(readonly=True) as session:
        user = require_role("staff", "owner")(current_user(request, session))
        assert user.id is not None
        return user.id


@router.get("/events")
async def events(request: Request, conversation: int | None = None) -> StreamingResponse:
    """Server-sent events: `change` whenever the queue (or the watched conversation) changes."""
    # Not the request-session dependency: it would keep a transaction (on SQLite, the write lock) open for
    # as long as the stream lives.
    user_id = await asyncio.to_thread(_stream_user, request)

    async def stream() -> AsyncIterator[str]:
        last, quiet = None, 0.0
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
            current = await asyncio.to_thread(_fingerprint, user_id, conversation)
            if current != last:
                yield f"event: change\ndata: {current}\n\n"
                last, quiet = current, 0.0
            elif quiet >= SSE_HEARTBEAT_SECONDS:
                yield ": heartbeat\n\n"  # keeps proxies from closing an idle stream
                quiet = 0.0
            await asyncio.sleep(SSE_POLL_SECONDS)
            quiet += SSE_POLL_SECONDS

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


@router.get("/conversations/{conversation_id}")
def conversation_page(request: Request, session: SessionDep, user: Staff, conversation_id: int) -> Response:
    """The hand-off card on top, the transcript and internal notes below, the reply box and actions."""
    conversation, prop = _conversation(session, user, conversation_id, "view")
    now = utcnow()
    current = escalation_service.unresolved(session, conversation_id=conversation_id)
    latest = current or escalation_service.latest(session, conversation_id=conversation_id)
    card = handoff.build_card(session, escalation=latest, today=now.date()) if latest else None
    assert prop.id is not None
    stay = card.reservation if card else handoff.stay_of(session, conversation, now.date())
    messages = conversation_service.conversation_messages(session, conversation_id=conversation_id)
    settings = get_settings()
    translator: Translator | None = getattr(request.app.state, "translator", None)
    template = staff_service.template_for(prop) if conversation.channel == "whatsapp" else None
    preview = ""
    if template is not None:
        values = staff_service.template_values(session, conversation=conversation, template=template, now=now)
        preview = staff_service.render_preview(template, values)
    context = {
        "conversation": conversation,
        "prop": prop,
        "escalation": current,
        "latest": latest,
        "card": card,
        "reason": notify.reason_label(latest.reason, user.language) if latest else "",
        "urgency": notify.urgency_label(latest.urgency, user.language) if latest else "",
        "messages": messages,
        "trace_links": traces.reply_traces(session, conversation_id=conversation_id),
        "lines": translations.transcript_lines(
            session,
            conversation=conversation,
            messages=messages,
            target=user.language,
            translator=translator,
            limit=settings.console_translate_max,
            now=now,
        ),
        "problems": staff_service.delivery_problems(session, conversation_id=conversation_id),
        "window_errors": staff_service.WINDOW_ERRORS,
        "notes": staff_service.notes(session, conversation_id=conversation_id),
        "canned": canned.list_canned(session, property_id=prop.id),
        "window_open": staff_service.whatsapp_window_open(session, conversation=conversation, now=now),
        "template": template,
        "template_preview": preview,
        "me": escalation_service.staff_owner(str(user.id)),
        "error": request.query_params.get("error"),
        "stay": stay,
        # An unknown number (a co-traveller?) can be linked to one of the property's current or coming stays.
        "bookings": []
        if stay
        else knowledge_service.current_reservations(session, property_id=prop.id, today=now.date()),
    }
    return page(request, user, "console/conversation.html", context)


def _back(conversation_id: int, error: str | None = None) -> Response:
    target = f"/console/conversations/{conversation_id}"
    return RedirectResponse(target + (f"?error={quote(error)}" if error else ""), status_code=303)


@router.post("/conversations/{conversation_id}/link")
def link_booking(session: SessionDep, user: Staff, form: CheckedForm, conversation_id: int) -> Response:
    """Link the guest's number to a booking of this property: from now on it is that booking's guest."""
    conversation, prop = _conversation(session, user, conversation_id, "link_booking")
    assert prop.id is not None
    try:
        reservation_id = int(str(form.get("reservation_id", "")))
    except ValueError:
        _ = gettext_for(user.language)
        return _back(conversation_id, _("Choose a booking to link this number to."))
    editing.link_phone(
        session,
        property_id=prop.id,
        reservation_id=reservation_id,
        phone=conversation_service.guest_phone(conversation.guest_address),
        user_id=user.id,
    )
    return _back(conversation_id)


@router.post("/conversations/{conversation_id}/claim")
def claim(session: SessionDep, user: Staff, form: CheckedForm, conversation_id: int) -> Response:
    """Take the conversation: the bot stops, and the escalation (if any) is claimed by this user."""
    _conversation(session, user, conversation_id, "take_over")
    escalation_service.take_over(session, conversation_id=conversation_id, staff_id=str(user.id), now=utcnow())
    return _back(conversation_id)


@router.post("/conversations/{conversation_id}/reply")
def reply(session: SessionDep, user: Staff, form: CheckedForm, conversation_id: int) -> Response:
    """Send a reply to the guest on their channel, through the outbox."""
    _conversation(session, user, conversation_id, "reply")
    staff_service.staff_reply(
        session,
        conversation_id=conversation_id,
        staff_id=str(user.id),
        body=str(form.get("body", "")),
        now=utcnow(),
    )
    return _back(conversation_id)


@router.post("/conversations/{conversation_id}/template")
def send_template(session: SessionDep, user: Staff, form: CheckedForm, conversation_id: int) -> Response:
    """Send the property's approved WhatsApp template (the only way to reach the guest after 24 hours)."""
    _conversation(session, user, conversation_id, "template")
    staff_service.send_template(session, conversation_id=conversation_id, staff_id=str(user.id), now=utcnow())
    return _back(conversation_id)


@router.post("/conversations/{conversation_id}/note")
def note(session: SessionDep, user: Staff, form: CheckedForm, conversation_id: int) -> Response:
    """An internal note: visible to staff only, never sent."""
    _conversation(session, user, conversation_id, "note")
    body = str(form.get("body", "")).strip()
    if body:
        staff_service.add_note(
            session,
            conversation_id=conversation_id,
            author=escalation_service.staff_owner(str(user.id)),
            body=body,
            now=utcnow(),
        )
    return _back(conversation_id)


@router.post("/conversations/{conversation_id}/hand-back")
def hand_back(session: SessionDep, user: Staff, form: CheckedForm, conversation_id: int) -> Response:
    """Return the conversation to the bot with a note of what happened."""
    _conversation(session, user, conversation_id, "hand_back")
    escalation_service.hand_back(
        session,
        conversation_id=conversation_id,
        staff_id=str(user.id),
        note=str(form.get("note", "")).strip(),
        now=utcnow(),
    )
    return _back(conversation_id)


@router.post("/conversations/{conversation_id}/resolve")
def resolve(session: SessionDep, user: Staff, form: CheckedForm, conversation_id: int) -> Response:
    """Close the open escalation with a resolution note (the conversation stays with its owner)."""
    _conversation(session, user, conversation_id, "resolve")
    current = escalation_service.unresolved(session, conversation_id=conversation_id)
    if current is None or current.id is None:
        raise NotFound("this conversation has no open escalation")
    escalation_service.resolve(
        session, escalation_id=current.id, staff_id=str(user.id), note=str(form.get("note", "")).strip(), now=utcnow()
    )
    return _back(conversation_id)
