"""The trace page of the console: one turn as a timeline, for staff of its property and admins (others: 404)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from concierge.core.db import SessionDep
from escalation import access
from escalation.console.pages import Staff, page
from escalation.console.words import mark_context

router = APIRouter(prefix="/console", tags=["console"])


@router.get("/traces/{trace_id}")
def trace_page(request: Request, session: SessionDep, user: Staff, trace_id: int) -> Response:
    """Nodes with their offsets and durations, model calls, retrieval, screening, checks, language, release."""
    view, prop = access.open_trace(session, user=user, trace_id=trace_id)  # the view is audited
    data = view.trace.data
    assert prop.id is not None and view.conversation.id is not None
    context = {
        "view": view,
        "prop": prop,
        "data": data,
        "llm": data.get("llm") or {},
        "release": data.get("release") or {},
        "reply_info": data.get("reply") or {},
        "screen": data.get("screen") or {},
        **mark_context(session, prop=prop, conversation_id=view.conversation.id),
    }
    return page(request, user, "console/trace.html", context)
