"""Marking replies in the console (the conversation and trace pages) and the property's marked cases.

A mark's form posts here; the service (escalation/marking.py) checks that the person may open the conversation
(anyone else: 404), keeps the case and audits the mark. Owners (and admins) can delete a case.
"""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from concierge.conversation import loop, marks
from concierge.core.db import ReadSessionDep, SessionDep
from concierge.core.errors import InvalidInput
from concierge.core.modelbase import utcnow
from concierge.i18n import gettext_for
from concierge.users.models import Role
from concierge.users.service import visible_property
from concierge.web.auth import CheckedForm
from escalation import marking
from escalation.console.pages import Staff, StaffReader, page
from escalation.console.words import KINDS, VERDICTS

router = APIRouter(prefix="/console", tags=["console"])


@router.post("/replies/{reply_id}/mark")
def mark(session: SessionDep, user: Staff, form: CheckedForm, reply_id: int) -> Response:
    """Mark one bot reply; back to the page the form was on."""
    back = str(form.get("back", ""))
    try:
        done = marking.mark_reply(
            session,
            user=user,
            reply_id=reply_id,
            verdict=str(form.get("verdict", "")),
            topic=str(form.get("topic", "")),
            note=str(form.get("note", ""))[:2000],
            now=utcnow(),
        )
    except InvalidInput:
        _ = gettext_for(user.language)
        error = _("Choose what was wrong, and for a reply that should have answered, the entry it should have used.")
        message = marks.reply_of(session, message_id=reply_id)
        target = f"/console/conversations/{message.conversation_id}" if message else "/console"
        return RedirectResponse(f"{target}?error={quote(error)}", status_code=303)
    target = back if back.startswith("/console/traces/") else f"/console/conversations/{done.conversation_id}"
    return RedirectResponse(f"{target}#reply-{reply_id}", status_code=303)


@router.get("/properties/{slug}/cases")
def cases_page(request: Request, session: ReadSessionDep, user: StaffReader, slug: str) -> Response:
    """The property's marked cases: the guest's words (without names or numbers), what the reply should do."""
    prop = visible_property(session, user=user, slug=slug)
    assert prop.id is not None
    context = {
        "prop": prop,
        "cases": marks.cases(session, property_id=prop.id),
        "waiting": loop.waiting_guest_marks(session, property_id=prop.id),  # guests' marks staff should confirm
        "verdicts": VERDICTS,
        "kinds": KINDS,
        "may_delete": user.role in (Role.owner, Role.admin),
        "fixed": marking.fixed_marks(session, prop=prop),
    }
    return page(request, user, "console/cases.html", context)


@router.post("/properties/{slug}/cases/{mark_id}/delete")
def delete_case(session: SessionDep, user: Staff, form: CheckedForm, slug: str, mark_id: int) -> Response:
    """An owner deletes a case (the mark stays in the history and the audit log)."""
    marking.delete_case(session, user=user, mark_id=mark_id, slug=slug)
    return RedirectResponse(f"/console/properties/{slug}/cases", status_code=303)
