"""The owner's reservation pages: list, add, edit, delete, and CSV import."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from concierge.core.db import ReadSessionDep, SessionDep
from concierge.core.errors import InvalidInput
from concierge.users import audit
from concierge.users.models import User
from concierge.users.service import visible_property
from concierge.web.auth import CheckedForm, checked_form, require_role
from concierge.web.rendering import page
from knowledge import editing
from knowledge import service as knowledge_service
from knowledge.editing import CSV_COLUMNS
from knowledge.models import Property

router = APIRouter(dependencies=[Depends(checked_form)])  # included by knowledge.admin.pages under /admin
Owner = Annotated[User, Depends(require_role("owner"))]
OwnerReader = Annotated[User, Depends(require_role("owner", readonly=True))]  # for pages that only read
FIELDS = ("guest_name", "phone", "check_in", "check_out", "language", "guests")


def _list(
    request: Request,
    session: Session,
    user: User,
    prop: Property,
    *,
    form: dict[str, Any],
    problems: list[str],
    csv: str = "",
) -> Response:
    assert prop.id is not None
    context = {
        "prop": prop,
        "reservations": knowledge_service.list_reservations(session, property_id=prop.id),
        "form": form,
        "problems": problems,
        "csv": csv,
        "csv_columns": ",".join(CSV_COLUMNS),
    }
    return page(request, user, "admin/reservations.html", context, status_code=422 if problems else 200)


@router.get("/p/{slug}/reservations")
def reservations(request: Request, session: ReadSessionDep, user: OwnerReader, slug: str) -> Response:
    """The property's reservations by check-in date, with the add and import forms."""
    prop = visible_property(session, user=user, slug=slug)
    return _list(request, session, user, prop, form={}, problems=[])


@router.post("/p/{slug}/reservations")
def add_reservation(request: Request, session: SessionDep, user: Owner, form: CheckedForm, slug: str) -> Response:
    """Add one reservation."""
    prop = visible_property(session, user=user, slug=slug)
    assert prop.id is not None
    data = {key: str(form.get(key, "")) for key in FIELDS}
    try:
        editing.save_reservation(session, property_id=prop.id, data=data)
    except InvalidInput as exc:
        return _list(request, session, user, prop, form=data, problems=exc.problems)
    audit.record(session, user_id=user.id, action="reservation.add", target=f"property:{slug}")
    return RedirectResponse(f"/admin/p/{slug}/reservations", status_code=303)


@router.post("/p/{slug}/reservations/csv")
def import_csv(request: Request, session: SessionDep, user: Owner, form: CheckedForm, slug: str) -> Response:
    """Add or update every reservation of pasted CSV text; nothing changes if a row is invalid."""
    prop = visible_property(session, user=user, slug=slug)
    assert prop.id is not None
    text = str(form.get("csv", ""))
    try:
        count = editing.import_reservations_csv(session, property_id=prop.id, text=text)
    except InvalidInput as exc:
        return _list(request, session, user, prop, form={}, problems=exc.problems, csv=text)
    audit.record(
        session, user_id=user.id, action="reservation.import", target=f"property:{slug}", detail={"rows": count}
    )
    return RedirectResponse(f"/admin/p/{slug}/reservations", status_code=303)


@router.get("/p/{slug}/reservations/{reservation_id}")
def reservation_page(
    request: Request, session: ReadSessionDep, user: OwnerReader, slug: str, reservation_id: int
) -> Response:
    """One reservation's edit form."""
    prop = visible_property(session, user=user, slug=slug)
    assert prop.id is not None
    row = editing.get_reservation(session, property_id=prop.id, reservation_id=reservation_id)
    data = {key: "" if getattr(row, key) is None else str(getattr(row, key)) for key in FIELDS}
    return page(
        request, user, "admin/reservation.html", {"prop": prop, "id": reservation_id, "form": data, "problems": []}
    )


@router.post("/p/{slug}/reservations/{reservation_id}")
def edit_reservation(
    request: Request, session: SessionDep, user: Owner, form: CheckedForm, slug: str, reservation_id: int
) -> Response:
    """Change one reservation."""
    prop = visible_property(session, user=user, slug=slug)
    assert prop.id is not None
    data = {key: str(form.get(key, "")) for key in FIELDS}
    try:
        editing.save_reservation(session, property_id=prop.id, data=data, reservation_id=reservation_id)
    except InvalidInput as exc:
        context = {"prop": prop, "id": reservation_id, "form": data, "problems": exc.problems}
        return page(request, user, "admin/reservation.html", context, status_code=422)
    audit.record(session, user_id=user.id, action="reservation.edit", target=f"property:{slug}")
    return RedirectResponse(f"/admin/p/{slug}/reservations", status_code=303)


@router.post("/p/{slug}/reservations/{reservation_id}/delete")
def delete_reservation(request: Request, session: SessionDep, user: Owner, slug: str, reservation_id: int) -> Response:
    """Remove one reservation."""
    prop = visible_property(session, user=user, slug=slug)
    assert prop.id is not None
    editing.delete_reservation(session, property_id=prop.id, reservation_id=reservation_id)
    audit.record(session, user_id=user.id, action="reservation.delete", target=f"property:{slug}")
    return RedirectResponse(f"/admin/p/{slug}/reservations", status_code=303)
