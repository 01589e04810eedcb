"""The staff console: the escalation queue (live over SSE), the conversation with its hand-off card, actions."""

import asyncio
from collections.abc import AsyncIterator
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from sqlmodel import Session

from concierge.conversation import service as conversation_service
from concierge.conversation import traces
from concierge.conversation.models import staff_owner
from concierge.core.db import ReadSessionDep, SessionDep
from concierge.core.errors import NotFound
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.i18n import N_, gettext_for
from concierge.llm.translate import Translator
from concierge.users.models import User
from concierge.users.service import user_properties
from concierge.web import rendering
from concierge.web.auth import CheckedForm, require_role
from escalation import access, canned, handoff, live, notify, translations
from escalation import queue as queue_service
from escalation import service as escalation_service
from escalation import staff as staff_service
from escalation.console import words
from escalation.console.words import mark_context
from escalation.models import EscalationStatus
from knowledge import editing
from knowledge import service as knowledge_service
from knowledge.models import Property

router = APIRouter(prefix="/console", tags=["console"])
Staff = Annotated[User, Depends(require_role("staff", "owner"))]
StaffReader = Annotated[User, Depends(require_role("staff", "owner", readonly=True))]  # for pages that only read
SSE_POLL_SECONDS = 1.0
SSE_HEARTBEAT_SECONDS = 15.0
LIVE = live.Poller(SSE_POLL_SECONDS)  # one per process, for every open stream


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


def _queue_rows(session: Session, user: User) -> list[dict[str, Any]]:
    return words.queue_rows(session, user, _scope(session, user))


@router.get("")
def queue_page(request: Request, session: ReadSessionDep, user: StaffReader) -> Response:
    """Open escalations of the user's properties, most urgent and oldest first; updates live."""
    properties = list(_scope(session, user).values())
    return page(request, user, "console/queue.html", {"rows": _queue_rows(session, user), "properties": properties})


@router.get("/queue")
def queue_fragment(request: Request, session: ReadSessionDep, user: StaffReader) -> Response:
    """The queue table alone, for the page to swap in when the event stream says it changed."""
    return page(request, user, "console/_queue.html", {"rows": _queue_rows(session, user)})


@router.get("/events")
async def events(request: Request, user: StaffReader, conversation: int | None = None) -> StreamingResponse:
    """Server-sent events: `change` whenever the queue (or the watched conversation) changes."""
    # The user is read in a read-only session that ends before the stream starts: the request-session dependency
    # would keep a transaction (on SQLite, the write lock) open for as long as the stream lives.
    assert user.id is not None
    user_id, epoch = user.id, user.session_epoch

    async def stream() -> AsyncIterator[str]:
        last, seen, quiet = None, -1, 0.0
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
            version = LIVE.version()  # the process's one poller; no database read here
            if version != seen or quiet >= SSE_HEARTBEAT_SECONDS:  # changed, or a recheck at each heartbeat
                seen = version
                current = await asyncio.to_thread(
                    queue_service.fingerprint, user_id=user_id, conversation_id=conversation, epoch=epoch
                )
                if current == queue_service.SIGNED_OUT:  # signed out (audited: the marker moved): nothing more here
                    yield "event: signed-out\ndata: \n\n"
                    return
                if current != last:
                    yield f"event: change\ndata: {current}\n\n"
                    last, quiet = current, 0.0
            if quiet >= SSE_HEARTBEAT_SECONDS:
                yield ": heartbeat\n\n"  # keeps proxies from closing an idle stream
                quiet = 0.0
            await asyncio.sleep(SSE_POLL_SECONDS)
            quiet += SSE_POLL_SECONDS

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


@router.get("/conversations/{conversation_id}")
def conversation_page(request: Request, session: SessionDep, user: Staff, conversation_id: int) -> Response:
    """The hand-off card on top, the transcript and internal notes below, the reply box and actions."""
    conversation, prop = access.open_conversation(session, user=user, conversation_id=conversation_id, action="view")
    now = utcnow()
    current = escalation_service.unresolved(session, conversation_id=conversation_id)
    latest = current or escalation_service.latest(session, conversation_id=conversation_id)
    card = handoff.build_card(session, escalation=latest, today=now.date()) if latest else None
    assert prop.id is not None
    stay = handoff.stay_status(session, conversation, now.date())
    messages = conversation_service.conversation_messages(session, conversation_id=conversation_id)
    settings = get_settings()
    lang = user.language
    notes = staff_service.notes(session, conversation_id=conversation_id)
    people = {conversation.owner, (latest.claimed_by if latest else None) or "", *(n.author for n in notes)}
    names = words.people(session, people)
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
        "reason": notify.reason_label(card.reason, user.language) if card else "",
        "reason_label": lambda reason: notify.reason_label(reason, user.language),
        "phone": conversation_service.guest_phone(conversation.guest_address),
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
        "notes": notes,
        "when": partial(words.when, prop=prop, language=lang),
        "channel_text": words.channel_text(conversation.channel, lang),
        "canned": canned.list_canned(session, property_id=prop.id),
        "window_open": staff_service.whatsapp_window_open(session, conversation=conversation, now=now),
        "template": template,
        "template_preview": preview,
        "me": staff_owner(str(user.id)),
        "owner_text": words.owner_text(conversation.owner, me=staff_owner(str(user.id)), names=names, language=lang),
        "names": names,
        "error": request.query_params.get("error"),
        "stay": stay,
        # A number on no booking at all (a co-traveller?) can be linked to a current or coming stay; a past guest
        # is not unknown.
        **mark_context(session, prop=prop, conversation_id=conversation_id),
        "bookings": knowledge_service.current_reservations(session, property_id=prop.id, today=now.date())
        if stay.state == "none"
        else [],
    }
    return page(request, user, "console/conversation.html", context)


def _back(conversation_id: int, error: str | None = None) -> Response:
    target = f"/console/conversations/{conversation_id}"
    return RedirectResponse(target + (f"?error={quote(error)}" if error else ""), status_code=303)


@router.post("/conversations/{conversation_id}/link")
def link_booking(session: SessionDep, user: Staff, form: CheckedForm, conversation_id: int) -> Response:
    """Link the guest's number to a booking of this property: from now on it is that booking's guest."""
    conversation, prop = access.open_conversation(
        session, user=user, conversation_id=conversation_id, action="link_booking"
    )
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
    access.open_conversation(session, user=user, conversation_id=conversation_id, action="take_over")
    escalation_service.take_over(session, conversation_id=conversation_id, staff_id=str(user.id), now=utcnow())
    return _back(conversation_id)


@router.post("/conversations/{conversation_id}/reply")
def reply(session: SessionDep, user: Staff, form: CheckedForm, conversation_id: int) -> Response:
    """Send a reply to the guest on their channel, through the outbox."""
    access.open_conversation(session, user=user, conversation_id=conversation_id, action="reply")
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
    access.open_conversation(session, user=user, conversation_id=conversation_id, action="template")
    staff_service.send_template(session, conversation_id=conversation_id, staff_id=str(user.id), now=utcnow())
    return _back(conversation_id)


@router.post("/conversations/{conversation_id}/note")
def note(session: SessionDep, user: Staff, form: CheckedForm, conversation_id: int) -> Response:
    """An internal note: visible to staff only, never sent."""
    access.open_conversation(session, user=user, conversation_id=conversation_id, action="note")
    body = str(form.get("body", "")).strip()
    if body:
        staff_service.add_note(
            session,
            conversation_id=conversation_id,
            author=staff_owner(str(user.id)),
            body=body,
            now=utcnow(),
        )
    return _back(conversation_id)


@router.post("/conversations/{conversation_id}/hand-back")
def hand_back(session: SessionDep, user: Staff, form: CheckedForm, conversation_id: int) -> Response:
    """Return the conversation to the bot with a note of what happened."""
    access.open_conversation(session, user=user, conversation_id=conversation_id, action="hand_back")
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
    access.open_conversation(session, user=user, conversation_id=conversation_id, action="resolve")
    current = escalation_service.unresolved(session, conversation_id=conversation_id)
    if current is None or current.id is None:
        raise NotFound("this conversation has no open escalation")
    escalation_service.resolve(
        session, escalation_id=current.id, staff_id=str(user.id), note=str(form.get("note", "")).strip(), now=utcnow()
    )
    return _back(conversation_id)
