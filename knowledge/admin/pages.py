"""The owner's pages: properties, the knowledge editor, preview, history with diffs, rollback, packs.

Server-rendered forms that work without JavaScript. Every route: parse, call a service, render.
Edits go into a draft (knowledge/admin/drafts.py: saving, review, publish); reservations live in
knowledge/admin/reservations.py.
"""

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import UploadFile

from concierge.conversation.corrections import guests_to_correct
from concierge.core.db import ReadSessionDep, SessionDep
from concierge.core.errors import InvalidInput, NotFound
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.turn.preview import preview_answer
from concierge.users import audit
from concierge.users.models import User
from concierge.users.service import user_properties, visible_property
from concierge.web.auth import CheckedForm, checked_form, require_role
from concierge.web.rendering import page
from escalation import marking
from escalation.notify import reason_label
from knowledge import drafts, editing
from knowledge import service as knowledge_service
from knowledge.admin import words
from knowledge.admin.drafts import router as drafts_router
from knowledge.admin.forms import entry_page_context
from knowledge.admin.reservations import router as reservations_router
from knowledge.lexicon import TOPICS
from knowledge.models import Property
from knowledge.pack import dump_pack, load_pack_yaml

# Every post under /admin needs the session's CSRF token, whether or not the route reads the form.
router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(checked_form)])
router.include_router(reservations_router)
router.include_router(drafts_router)
Owner = Annotated[User, Depends(require_role("owner"))]
OwnerReader = Annotated[User, Depends(require_role("owner", readonly=True))]  # for pages that only read
NEW = "_new"  # the entry form's topic segment for an entry that does not exist yet


def _ordered(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Standard topics in their usual order, then custom ones alphabetically."""
    rank = {topic: i for i, topic in enumerate(TOPICS)}
    return sorted(entries, key=lambda e: (rank.get(e["topic"], len(TOPICS)), e["topic"]))


def _prop(session: Session, user: User, slug: str) -> Property:
    return visible_property(session, user=user, slug=slug)


@router.get("")
def properties(request: Request, session: ReadSessionDep, user: OwnerReader) -> Response:
    """The properties this user may edit."""
    return page(request, user, "admin/properties.html", {"properties": user_properties(session, user=user)})


@router.get("/p/{slug}")
def editor(request: Request, session: ReadSessionDep, user: OwnerReader, slug: str) -> Response:
    """The knowledge editor's overview: entries by topic (the draft's, when there is one), and guests who were
    told something that changed."""
    prop = _prop(session, user, slug)
    assert prop.id is not None
    version = knowledge_service.published_version(session, property_id=prop.id)
    draft = drafts.get_draft(session, property_id=prop.id)
    entries = drafts.working_entries(session, property_id=prop.id)
    today = knowledge_service.local_date(prop, now=utcnow())
    context = {
        "prop": prop,
        "version": version,
        "draft": draft,
        "changed": drafts.changed_topics(session, property_id=prop.id) if draft else [],
        "entries": _ordered(entries),
        "today": today.isoformat(),
        "corrections": guests_to_correct(session, prop=prop, now=utcnow()),
        "topics": [t for t in TOPICS if t not in {e["topic"] for e in entries}],
        "when": partial(words.when, prop=prop, language=user.language),
        "names": partial(words.topic_names, language=user.language),
    }
    return page(request, user, "admin/editor.html", context)


@router.get("/p/{slug}/entries/{topic}")
def entry_page(
    request: Request,
    session: ReadSessionDep,
    user: OwnerReader,
    slug: str,
    topic: str,
    new: str = "",
    title: str = "",
    language: str = "",
    case: int | None = None,
) -> Response:
    """One entry's form (the draft's entry, when there is a draft): title, content per language, sensitive,
    effective dates, keywords.

    A new entry's form can be prefilled (`new` topic, `title`, first `language`): the dashboard's knowledge
    gaps link here with the guests' question; a marked case (`case`) gives its guest's question and language."""
    prop = _prop(session, user, slug)
    assert prop.id is not None
    if topic == NEW:
        if case is not None:
            found_case = marking.get_case(session, prop=prop, mark_id=case)
            title, language = (found_case.messages or [""])[-1], found_case.language
            new = new or "custom:"
        entry: dict[str, Any] = {"topic": new, "title": title[:200], "sensitive": new == "access", "content": {}}
        context = entry_page_context(prop, entry, topic=NEW, new_language=language, case=str(case or ""))
        return page(request, user, "admin/entry.html", context)
    found = next((e for e in drafts.working_entries(session, property_id=prop.id) if e["topic"] == topic), None)
    if found is None:
        raise NotFound(f"no entry {topic!r}")
    return page(request, user, "admin/entry.html", entry_page_context(prop, found, topic=topic))


@router.get("/p/{slug}/preview")
def preview_page(request: Request, session: ReadSessionDep, user: OwnerReader, slug: str) -> Response:
    """The test-question form (a read: the answer is computed on POST)."""
    prop = _prop(session, user, slug)
    assert prop.id is not None
    reservations = knowledge_service.list_reservations(session, property_id=prop.id)
    has_draft = drafts.get_draft(session, property_id=prop.id) is not None
    context = {"prop": prop, "question": "", "phone": "", "result": None, "reservations": reservations}
    return page(request, user, "admin/preview.html", {**context, "has_draft": has_draft, "use": "draft"})


@router.post("/p/{slug}/preview")
def preview(request: Request, session: SessionDep, user: Owner, form: CheckedForm, slug: str) -> Response:
    """Ask a test question: the answer the concierge would send, on the draft when there is one (or on the
    published version, `use=published`), and the entries it used (the turn's writes run in a savepoint that is
    rolled back, so this needs a write transaction)."""
    prop = _prop(session, user, slug)
    assert prop.id is not None
    question, phone = str(form.get("question", "")).strip(), str(form.get("phone", ""))
    draft = drafts.get_draft(session, property_id=prop.id)
    use = "published" if draft is None or form.get("use") == "published" else "draft"
    result = None
    if question:
        result = preview_answer(
            session,
            prop=prop,
            text=question,
            phone=phone or None,
            now=utcnow(),
            settings=get_settings(),
            entries=list(draft.entries) if draft is not None and use == "draft" else None,
        )
    reservations = knowledge_service.list_reservations(session, property_id=prop.id)
    context = {
        "prop": prop,
        "question": question,
        "phone": phone,
        "result": result,
        "reservations": reservations,
        "has_draft": draft is not None,
        "use": use,
        "decision": partial(words.verdict, table=words.DECISIONS, language=user.language),
        "access": partial(words.verdict, table=words.ACCESS, language=user.language),
        "reason_label": partial(reason_label, language=user.language),
    }
    return page(request, user, "admin/preview.html", context)


@router.get("/p/{slug}/history")
def history(
    request: Request,
    session: ReadSessionDep,
    user: OwnerReader,
    slug: str,
    old: int | None = None,
    new: int | None = None,
) -> Response:
    """Every version, newest first, and the diff between any two (default: the last change)."""
    prop = _prop(session, user, slug)
    assert prop.id is not None
    versions = knowledge_service.history(session, property_id=prop.id)
    if versions and new is None:
        new = versions[0].version
    if versions and old is None:
        old = versions[1].version if len(versions) > 1 else versions[0].version
    changes = []
    if old is not None and new is not None:
        changes = editing.compare(session, property_id=prop.id, old=old, new=new)
    context = {
        "prop": prop,
        "versions": versions,
        "old": old,
        "new": new,
        "changes": changes,
        "summary_text": partial(words.summary_text, language=user.language),
        "when": partial(words.when, prop=prop, language=user.language),
    }
    return page(request, user, "admin/history.html", context)


@router.get("/p/{slug}/rollback/{version}")
def rollback_confirm(request: Request, session: ReadSessionDep, user: OwnerReader, slug: str, version: int) -> Response:
    """What rolling back would change, and the button that does it."""
    prop = _prop(session, user, slug)
    assert prop.id is not None
    current = knowledge_service.published_version(session, property_id=prop.id)
    assert current is not None
    changes = editing.compare(session, property_id=prop.id, old=current.version, new=version)
    context = {"prop": prop, "version": version, "current": current, "changes": changes}
    return page(request, user, "admin/rollback.html", context)


@router.post("/p/{slug}/rollback/{version}")
def rollback(request: Request, session: SessionDep, user: Owner, slug: str, version: int) -> Response:
    """Publish a new version equal to `version`."""
    prop = _prop(session, user, slug)
    assert prop.id is not None
    new = knowledge_service.rollback(session, property_id=prop.id, version=version, author=user.email)
    audit.record(session, user_id=user.id, action="kb.rollback", target=f"property:{slug}", detail={"to": version})
    return RedirectResponse(f"/admin/p/{slug}/history?saved={new.version}", status_code=303)


@router.get("/p/{slug}/pack")
def pack_page(request: Request, session: ReadSessionDep, user: OwnerReader, slug: str) -> Response:
    """Import and export of the property pack."""
    prop = _prop(session, user, slug)
    return page(request, user, "admin/pack.html", {"prop": prop, "problems": [], "text": ""})


@router.get("/p/{slug}/pack.yaml")
def pack_export(session: SessionDep, user: Owner, slug: str) -> Response:
    """The published pack as a YAML download."""
    prop = _prop(session, user, slug)
    text = dump_pack(knowledge_service.export_pack(session, slug=prop.slug))
    audit.record(session, user_id=user.id, action="kb.export", target=f"property:{slug}")  # it holds guests' bookings
    headers = {"Content-Disposition": f'attachment; filename="{prop.slug}.yaml"'}
    return Response(text, media_type="application/yaml", headers=headers)


@router.post("/p/{slug}/pack")
def pack_import(request: Request, session: SessionDep, user: Owner, form: CheckedForm, slug: str) -> Response:
    """Validate a pack (pasted or uploaded) for this property and publish it; every problem is listed."""
    prop = _prop(session, user, slug)
    upload = form.get("file")
    text = str(form.get("text", ""))
    if isinstance(upload, UploadFile) and upload.filename:
        text = upload.file.read().decode("utf-8", errors="replace")
    try:
        data = load_pack_yaml(text, where="(pack)")
        try:
            version = editing.import_pack_for(session, prop=prop, data=data, author=user.email)
        except RecursionError:
            raise InvalidInput(["(pack): nested too deeply to be a property pack"]) from None
    except InvalidInput as exc:
        return page(
            request, user, "admin/pack.html", {"prop": prop, "problems": exc.problems, "text": text}, status_code=422
        )
    audit.record(
        session, user_id=user.id, action="kb.import", target=f"property:{slug}", detail={"version": version.version}
    )
    return RedirectResponse(f"/admin/p/{slug}/history?saved={version.version}", status_code=303)
