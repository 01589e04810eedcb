"""The trace page of the console: one turn as a timeline, for staff of its property and admins (others: 404)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from concierge.conversation import traces
from concierge.core.db import SessionDep
from concierge.core.errors import NotFound
from concierge.guard import privacy as guard_service
from concierge.users.service import visible_property
from escalation.console.pages import Staff, page
from knowledge.models import Property

router = APIRouter(prefix="/console", tags=["console"])


@router.get("/traces/{trace_id}")
def trace_page(request: Request, session: SessionDep, user: Staff, trace_id: int) -> Response:
    """Nodes with their offsets and durations, model calls, retrieval, screening, checks, language, release."""
    view = traces.trace_view(session, trace_id=trace_id)
    if view is None:
        raise NotFound("page not found")
    prop = session.get_one(Property, view.conversation.property_id)
    visible_property(session, user=user, slug=prop.slug)  # another property's trace: the same 404
    assert view.conversation.id is not None
    guard_service.record_access(session, user_id=user.id, action="trace", conversation_id=view.conversation.id)
    data = view.trace.data
    context = {
        "view": view,
        "prop": prop,
        "data": data,
        "llm": data.get("llm") or {},
        "release": data.get("release") or {},
        "reply_info": data.get("reply") or {},
        "screen": data.get("screen") or {},
    }
    return page(request, user, "console/trace.html", context)
