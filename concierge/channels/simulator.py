"""The guest simulator: chat as any guest of a property in the browser, no Twilio needed."""

import re
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from concierge.conversation import service
from concierge.conversation.models import Channel
from concierge.core.db import CommittedSessionDep, ReadSessionDep
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.web import rendering
from knowledge import service as knowledge_service

router = APIRouter(prefix="/simulator", tags=["simulator"])
SIMULATOR_ADDRESS = "simulator"
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")


def _require_enabled() -> None:
    if not get_settings().simulator_on:
        raise HTTPException(404)


def _transcript(session: Session, slug: str, phone: str) -> list[dict[str, Any]]:
    return [
        {"id": m.id, "author": m.author, "body": m.body, "at": m.created_at.isoformat(timespec="seconds")}
        for m in service.transcript_of(session, slug=slug, channel=Channel.simulator, guest_address=phone)
    ]


def _page_data(session: Session, slug: str | None) -> dict[str, Any]:
    properties = knowledge_service.list_properties(session)
    current = next((p for p in properties if p.slug == slug), properties[0] if properties else None)
    guests = []
    if current is not None:
        assert current.id is not None
        guests = [
            {"phone": r.phone, "label": f"{r.guest_name} ({r.check_in:%d %b} – {r.check_out:%d %b})"}
            for r in knowledge_service.list_reservations(session, property_id=current.id)
        ]
    return {
        "properties": [{"slug": p.slug, "name": p.name} for p in properties],
        "current": current.slug if current else None,
        "guests": guests,
    }


@router.get("", response_class=HTMLResponse)
def page(request: Request, session: ReadSessionDep, property: str | None = None, phone: str | None = None) -> Response:
    """The chat page; works without JavaScript (the form posts and the page reloads)."""
    _require_enabled()
    data = _page_data(session, property)
    phone = phone if phone and PHONE.match(phone) else (data["guests"][0]["phone"] if data["guests"] else None)
    messages = _transcript(session, data["current"], phone) if data["current"] and phone else []
    return rendering.render(request, "simulator.html", {**data, "phone": phone, "messages": messages})


@router.get("/messages")
def messages(
    session: ReadSessionDep, property: str, phone: Annotated[str, Query(pattern=PHONE.pattern)]
) -> list[dict[str, Any]]:
    """The transcript as JSON, for the page's polling."""
    _require_enabled()
    return _transcript(session, property, phone)


def store_guest_message(session: Session, *, slug: str, phone: str, body: str) -> None:
    """Store a simulated guest's message (and its job) as the webhook would, in the caller's transaction."""
    prop = knowledge_service.get_property(session, slug=slug)
    service.receive(
        session,
        prop=prop,
        channel=Channel.simulator,
        guest_address=phone,
        property_address=SIMULATOR_ADDRESS,
        body=body,
        now=utcnow(),
    )


@router.post("/messages")
def send(
    request: Request,
    session: CommittedSessionDep,
    background: BackgroundTasks,
    property: Annotated[str, Form()],
    phone: Annotated[str, Form(pattern=PHONE.pattern)],
    body: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Send a message as the guest; the reply arrives through the worker like any other."""
    _require_enabled()
    store_guest_message(session, slug=property, phone=phone, body=body)
    worker = getattr(request.app.state, "worker", None)
    if worker is not None:
        background.add_task(worker.wake)  # after the commit, which comes before the response: the job is there
    if request.headers.get("accept", "").startswith("application/json"):
        return Response(status_code=202)
    return RedirectResponse(f"/simulator?property={property}&phone={phone.replace('+', '%2B')}", status_code=303)
