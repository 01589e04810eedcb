"""Console settings pages: canned replies and quiet hours per property, and the staff member's own language."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from concierge.core.db import ReadSessionDep, SessionDep
from concierge.core.errors import InvalidInput
from concierge.i18n import available_languages, language_name
from concierge.users import audit
from concierge.users.service import set_language, visible_property
from concierge.web.auth import CheckedForm
from concierge.web.rendering import SESSION_LANGUAGE
from escalation import canned, quiet_hours
from escalation.console.pages import Staff, StaffReader, page

router = APIRouter(prefix="/console", tags=["console"])


@router.get("/p/{slug}/canned")
def canned_page(request: Request, session: ReadSessionDep, user: StaffReader, slug: str) -> Response:
    """A property's canned replies."""
    prop = visible_property(session, user=user, slug=slug)
    assert prop.id is not None
    context = {"prop": prop, "canned": canned.list_canned(session, property_id=prop.id)}
    return page(request, user, "console/canned.html", context)


@router.post("/p/{slug}/canned")
def canned_add(session: SessionDep, user: Staff, form: CheckedForm, slug: str) -> Response:
    """Add a canned reply to the property."""
    prop = visible_property(session, user=user, slug=slug)
    assert prop.id is not None
    canned.add_canned(
        session,
        property_id=prop.id,
        title=str(form.get("title", "")),
        language=str(form.get("language", "")),
        body=str(form.get("body", "")),
    )
    return RedirectResponse(f"/console/p/{slug}/canned", status_code=303)


@router.post("/p/{slug}/canned/{canned_id}/delete")
def canned_delete(session: SessionDep, user: Staff, form: CheckedForm, slug: str, canned_id: int) -> Response:
    """Remove a canned reply."""
    prop = visible_property(session, user=user, slug=slug)
    assert prop.id is not None
    canned.delete_canned(session, property_id=prop.id, canned_id=canned_id)
    return RedirectResponse(f"/console/p/{slug}/canned", status_code=303)


@router.get("/p/{slug}/quiet-hours")
def quiet_hours_page(request: Request, session: ReadSessionDep, user: StaffReader, slug: str) -> Response:
    """The property's quiet hours, with a form to change or clear them."""
    prop = visible_property(session, user=user, slug=slug)
    start, end = quiet_hours.current(session, prop=prop)
    context = {
        "prop": prop,
        "start": start,
        "end": end,
        "current_start": start,
        "current_end": end,
        "saved": request.query_params.get("saved") == "1",
        "problems": [],
    }
    return page(request, user, "console/quiet_hours.html", context)


@router.post("/p/{slug}/quiet-hours")
def quiet_hours_save(request: Request, session: SessionDep, user: Staff, form: CheckedForm, slug: str) -> Response:
    """Set or clear the quiet hours; every problem is shown next to the values that were typed."""
    prop = visible_property(session, user=user, slug=slug)
    start, end = str(form.get("start", "")), str(form.get("end", ""))
    try:
        quiet_hours.update(session, prop=prop, start=start, end=end, user_id=user.id, language=user.language)
    except InvalidInput as exc:
        current_start, current_end = quiet_hours.current(session, prop=prop)
        context = {
            "prop": prop,
            "start": start,
            "end": end,
            "current_start": current_start,
            "current_end": current_end,
            "saved": False,
            "problems": exc.problems,
        }
        response = page(request, user, "console/quiet_hours.html", context)
        response.status_code = 422
        return response
    return RedirectResponse(f"/console/p/{slug}/quiet-hours?saved=1", status_code=303)


@router.get("/account")
def account_page(request: Request, user: StaffReader, back: str = "") -> Response:
    """The signed-in user's language (console and admin text, translation lines); `back=admin` links to the admin."""
    languages = [(code, language_name(code, in_language=code)) for code in available_languages()]
    context = {
        "languages": languages,
        "saved": request.query_params.get("saved") == "1",
        "back": "admin" if back == "admin" else "",
    }
    return page(request, user, "console/account.html", context)


@router.post("/account")
def account_save(request: Request, session: SessionDep, user: Staff, form: CheckedForm) -> Response:
    """Change the signed-in user's language (also for pages rendered without the user, such as errors)."""
    set_language(session, user=user, language=str(form.get("language", "")))
    audit.record(session, user_id=user.id, action="account.language", detail={"language": user.language})
    request.session[SESSION_LANGUAGE] = user.language
    back = "&back=admin" if form.get("back") == "admin" else ""
    return RedirectResponse(f"/console/account?saved=1{back}", status_code=303)
