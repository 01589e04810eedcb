"""The guest simulator: chat as any guest of a property in the browser, no Twilio needed.

Speaking as a booked guest releases that guest's door code, so the simulator is for the property's own people: a
signed-in owner, staff member or admin of that property (another property answers 404, like one that does not
exist). Booked guests are picked by reservation, and their phone numbers are shown masked, never in full.
"""

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from concierge.conversation import service
from concierge.conversation.models import Channel
from concierge.core.db import ReadSessionDep, SessionDep
from concierge.core.errors import InvalidInput
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.users import service as users_service
from concierge.users.models import User
from concierge.web import rendering
from concierge.web.auth import CheckedForm, require_role
from knowledge import service as knowledge_service
from knowledge.models import Property, Reservation

SIMULATOR_ADDRESS = "simulator"
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")

# Read in a read-only session, also for the post: its write goes through its own committed session, and two
# write sessions in one request would wait for each other's SQLite write lock.
MemberReader = Annotated[User, Depends(require_role("owner", "staff", readonly=True))]


def _require_enabled() -> None:
    if not get_settings().simulator_on:
        raise HTTPException(404)


# Off (404) is decided before sign-in: with Twilio configured the simulator does not exist.
router = APIRouter(prefix="/simulator", tags=["simulator"], dependencies=[Depends(_require_enabled)])


def masked(phone: str) -> str:
    """A phone number as the simulator shows it: its country code and last two digits ("+34 ••• •• 11")."""
    digits = phone.lstrip("+")
    return f"+{digits[:2]} ••• •• {digits[-2:]}" if len(digits) > 4 else "•••"


def _transcript(session: Session, slug: str, phone: str) -> list[dict[str, Any]]:
    return [
        {"id": m.id, "author": m.author, "body": m.body, "at": m.created_at.isoformat(timespec="seconds")}
        for m in service.transcript_of(session, slug=slug, channel=Channel.simulator, guest_address=phone)
    ]


def _property(session: Session, user: User, slug: str | None) -> Property | None:
    """The property asked for if this user may see it (Hidden, a 404, otherwise); else the user's first."""
    if slug:
        return users_service.visible_property(session, user=user, slug=slug)
    mine = users_service.user_properties(session, user=user)
    return mine[0] if mine else None


def _guest_phone(reservations: list[Reservation], guest: int | None, phone: str | None) -> tuple[str | None, str]:
    """The address to chat as (a reservation's phone, or a typed number) and the query naming it."""
    if guest is not None:
        found = next((r for r in reservations if r.id == guest), None)
        if found is None:
            raise InvalidInput(["guest: no such reservation at this property"])
        return found.phone, f"guest={guest}"
    if phone and PHONE.match(phone):
        return phone, urlencode({"phone": phone})
    if reservations:
        return reservations[0].phone, f"guest={reservations[0].id}"
    return None, ""


def _label(r: Reservation) -> str:
    return f"{r.guest_name} ({r.check_in:%d %b} – {r.check_out:%d %b}, {masked(r.phone)})"


@router.get("", response_class=HTMLResponse)
def page(
    request: Request,
    session: ReadSessionDep,
    user: MemberReader,
    property: str | None = None,
    guest: int | None = None,
    phone: str | None = None,
) -> Response:
    """The chat page; works without JavaScript (the form posts and the page reloads)."""
    prop = _property(session, user, property)
    reservations = knowledge_service.list_reservations(session, property_id=prop.id) if prop and prop.id else []
    address, query = _guest_phone(reservations, guest, phone) if prop else (None, "")
    context = {
        "properties": [{"slug": p.slug, "name": p.name} for p in users_service.user_properties(session, user=user)],
        "current": prop.slug if prop else None,
        "guests": [{"id": r.id, "label": _label(r)} for r in reservations],
        "guest": guest,
        "phone": phone if guest is None and address == phone else None,
        "chatting": address is not None,
        "chat_as": masked(address) if address else "",
        "query": f"property={prop.slug}&{query}" if prop and address else "",
        "messages": _transcript(session, prop.slug, address) if prop and address else [],
    }
    return rendering.page(request, user, "simulator.html", context)


@router.get("/messages")
def messages(
    session: ReadSessionDep,
    user: MemberReader,
    property: str,
    guest: int | None = None,
    phone: str | None = None,
) -> list[dict[str, Any]]:
    """The transcript as JSON, for the page's polling."""
    prop = users_service.visible_property(session, user=user, slug=property)
    assert prop.id is not None
    address, _query = _guest_phone(knowledge_service.list_reservations(session, property_id=prop.id), guest, phone)
    return _transcript(session, prop.slug, address) if address else []


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
    session: SessionDep,
    background: BackgroundTasks,
    user: MemberReader,
    _form: CheckedForm,
    property: Annotated[str, Form()],
    guest: Annotated[int | None, Form()] = None,
    phone: Annotated[str | None, Form(pattern=PHONE.pattern)] = None,
    body: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Send a message as the guest; the reply arrives through the worker like any other."""
    prop = users_service.visible_property(session, user=user, slug=property)
    assert prop.id is not None
    address, query = _guest_phone(knowledge_service.list_reservations(session, property_id=prop.id), guest, phone)
    if address is None:
        raise InvalidInput(["phone: pick a guest or type a number like +34611111111"])
    store_guest_message(session, slug=prop.slug, phone=address, body=body)
    worker = getattr(request.app.state, "worker", None)
    if worker is not None:
        background.add_task(worker.wake)  # after the commit, which comes before the response: the job is there
    if request.headers.get("accept", "").startswith("application/json"):
        return Response(status_code=202)
    return RedirectResponse(f"/simulator?property={prop.slug}&{query}", status_code=303)
