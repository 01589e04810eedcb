"""The owner's draft: entry edits saved without going live, the review page (what publishing changes, languages
left behind, entries changed meanwhile, the marked cases on the draft), Publish and Discard, and the fixes a
marked case suggests (its guest's words as keywords of an entry, or a new entry for its question).

Every route: parse, call a service, render; publishing is audited like the edits before drafts were.
"""

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from concierge.conversation import marks
from concierge.core.db import ReadSessionDep, SessionDep
from concierge.core.errors import Conflict, InvalidInput, NotFound
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.turn.preview import CaseCheck, check_cases
from concierge.users import audit
from concierge.users.models import User
from concierge.users.service import visible_property
from concierge.web.auth import CheckedForm, require_role
from concierge.web.rendering import page
from escalation import marking
from knowledge import drafts
from knowledge.admin import words
from knowledge.admin.forms import entry_from_form, entry_page_context, stale_key
from knowledge.diff import stale_languages
from knowledge.merge import DRAFT, PUBLISHED
from knowledge.models import Property

router = APIRouter()
Owner = Annotated[User, Depends(require_role("owner"))]
OwnerReader = Annotated[User, Depends(require_role("owner", readonly=True))]
NEW = "_new"


def _prop(session: Session, user: User, slug: str) -> Property:
    prop = visible_property(session, user=user, slug=slug)
    assert prop.id is not None
    return prop


def _audit(session: Session, user: User, action: str, slug: str, **detail: Any) -> None:
    audit.record(session, user_id=user.id, action=action, target=f"property:{slug}", detail=detail or None)


@router.post("/p/{slug}/entries/{topic}")
def save_entry(
    request: Request, session: SessionDep, user: Owner, form: CheckedForm, slug: str, topic: str
) -> Response:
    """Save the entry into the draft (nothing goes live until Publish).

    When one language was edited and another still states what the edit removed ("French still says 15:00"),
    the form comes back with that warning first; "Save anyway" saves it as it is."""
    prop = _prop(session, user, slug)
    assert prop.id is not None
    entry = entry_from_form(form)
    case = str(form.get("case", ""))
    if topic != NEW:
        # Against what the owner edited (the draft's entry): the review warns again against the published one.
        before = next((e for e in drafts.working_entries(session, property_id=prop.id) if e["topic"] == topic), None)
        stale = stale_languages(before, entry)
        if stale and form.get("confirm") != stale_key(stale):  # confirmed only for the very warnings shown
            context = entry_page_context(prop, entry, topic=topic, stale=stale, case=case)
            return page(request, user, "admin/entry.html", context)
    if case.isdigit():  # another property's case is a 404 before anything is saved
        marking.get_case(session, prop=prop, mark_id=int(case))
    try:
        draft = drafts.save_entry(
            session,
            property_id=prop.id,
            entry=entry,
            replaces=None if topic == NEW else topic,
            author=user.email,
            now=utcnow(),
        )
        if case.isdigit():  # a new entry written for a marked case: publishing makes the case expect it
            drafts.record_fix(session, draft, mark_id=int(case), topic=entry["topic"])
    except InvalidInput as exc:
        context = entry_page_context(prop, entry, topic=topic, problems=exc.problems, case=case)
        return page(request, user, "admin/entry.html", context, status_code=422)
    _audit(session, user, "kb.draft.save", slug, topic=entry["topic"])
    return RedirectResponse(f"/admin/p/{slug}?drafted={entry['topic']}", status_code=303)


@router.post("/p/{slug}/entries/{topic}/delete")
def delete_entry(session: SessionDep, user: Owner, slug: str, topic: str) -> Response:
    """Take the entry out of the draft."""
    prop = _prop(session, user, slug)
    assert prop.id is not None
    drafts.remove_entry(session, property_id=prop.id, topic=topic, author=user.email, now=utcnow())
    _audit(session, user, "kb.draft.remove", slug, topic=topic)
    return RedirectResponse(f"/admin/p/{slug}?drafted={topic}", status_code=303)


def _review_page(
    request: Request,
    session: Session,
    user: User,
    prop: Property,
    *,
    keep: dict[str, str] | None = None,
    checks: list[CaseCheck] | None = None,
    error: str = "",
    problems: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    assert prop.id is not None
    review = drafts.review(session, property_id=prop.id, keep=keep)
    context = {
        "prop": prop,
        "review": review,
        "keep": keep or {},
        "checks": checks,
        "cases": len(marks.cases(session, property_id=prop.id)),
        "error": error,
        "problems": problems or [],
        "DRAFT": DRAFT,
        "PUBLISHED": PUBLISHED,
        "when": partial(words.when, prop=prop, language=user.language),
        "names": partial(words.topic_names, language=user.language),
    }
    return page(request, user, "admin/draft.html", context, status_code=status_code)


@router.get("/p/{slug}/draft")
def draft_page(request: Request, session: ReadSessionDep, user: OwnerReader, slug: str) -> Response:
    """What publishing the draft would change, what it warns about, and the buttons."""
    prop = _prop(session, user, slug)
    assert prop.id is not None
    if drafts.get_draft(session, property_id=prop.id) is None:
        return RedirectResponse(f"/admin/p/{slug}", status_code=303)
    return _review_page(request, session, user, prop)


def _keep(form: CheckedForm) -> dict[str, str]:
    return {str(k).removeprefix("keep."): str(v) for k, v in form.multi_items() if str(k).startswith("keep.")}


@router.post("/p/{slug}/draft/check")
def check_draft(request: Request, session: SessionDep, user: Owner, form: CheckedForm, slug: str) -> Response:
    """Play the property's marked cases on the published knowledge and on the draft (nothing is kept)."""
    prop = _prop(session, user, slug)
    assert prop.id is not None
    keep = _keep(form)
    review = drafts.review(session, property_id=prop.id, keep=keep)
    checks = check_cases(
        session,
        prop=prop,
        cases=marks.cases(session, property_id=prop.id),
        draft=review.entries,
        fixes=review.draft.fixes,
        now=utcnow(),
        settings=get_settings(),
    )
    return _review_page(request, session, user, prop, keep=keep, checks=checks)


@router.post("/p/{slug}/draft/publish")
def publish(request: Request, session: SessionDep, user: Owner, form: CheckedForm, slug: str) -> Response:
    """Publish the draft as a new version (merged with versions published since it started) and remove it."""
    prop = _prop(session, user, slug)
    assert prop.id is not None
    keep = _keep(form)
    try:
        version, fixes = drafts.publish(
            session, property_id=prop.id, author=user.email, keep=keep, confirm=str(form.get("confirm", ""))
        )
    except drafts.Unconfirmed:
        return _review_page(request, session, user, prop, keep=keep, error="unconfirmed", status_code=422)
    except Conflict:
        return _review_page(request, session, user, prop, keep=keep, error="conflict", status_code=409)
    except InvalidInput as exc:  # the merge would show a secret's digits in the open
        return _review_page(
            request, session, user, prop, keep=keep, error="invalid", problems=exc.problems, status_code=422
        )
    fixed = marking.apply_fixes(session, prop=prop, fixes=fixes)
    _audit(session, user, "kb.publish", slug, version=version.version if version else None, fixed_cases=fixed)
    return RedirectResponse(f"/admin/p/{slug}?saved={version.version if version else 'same'}", status_code=303)


@router.post("/p/{slug}/draft/discard")
def discard(session: SessionDep, user: Owner, slug: str) -> Response:
    """Throw the draft away; the published version stays as it is."""
    prop = _prop(session, user, slug)
    assert prop.id is not None
    if drafts.discard(session, property_id=prop.id):
        _audit(session, user, "kb.draft.discard", slug)
    return RedirectResponse(f"/admin/p/{slug}?discarded=1", status_code=303)


@router.get("/p/{slug}/cases/{mark_id}/fix")
def fix_page(request: Request, session: ReadSessionDep, user: OwnerReader, slug: str, mark_id: int) -> Response:
    """What a marked case suggests: its guest's words as keywords of the entry it should have used, or a new
    entry for its question when no entry answers it."""
    prop = _prop(session, user, slug)
    assert prop.id is not None
    case = marking.get_case(session, prop=prop, mark_id=mark_id)
    entries = drafts.working_entries(session, property_id=prop.id)
    question = case.messages[-1] if case.messages else ""
    context = {
        "prop": prop,
        "case": case,
        "question": question,
        "entries": entries,
        "topic": case.expect_topics[0] if case.expect_kind == "answer" and case.expect_topics else "",
        "words": ", ".join(drafts.suggested_keywords(entries, question)),
    }
    return page(request, user, "admin/fix.html", context)


@router.post("/p/{slug}/cases/{mark_id}/keywords")
def add_keywords(session: SessionDep, user: Owner, form: CheckedForm, slug: str, mark_id: int) -> Response:
    """Add the guest's words as keywords of an entry, in the case's language, in the draft; then the review."""
    prop = _prop(session, user, slug)
    assert prop.id is not None
    case = marking.get_case(session, prop=prop, mark_id=mark_id)
    topic = str(form.get("topic", ""))
    words = str(form.get("words", "")).split(",")
    try:
        drafts.add_keywords(
            session,
            property_id=prop.id,
            topic=topic,
            language=case.language,
            words=words,
            author=user.email,
            now=utcnow(),
        )
    except (InvalidInput, NotFound):
        return RedirectResponse(f"/admin/p/{slug}/cases/{mark_id}/fix?error=1", status_code=303)
    _audit(session, user, "kb.draft.keywords", slug, topic=topic, mark=mark_id)
    return RedirectResponse(f"/admin/p/{slug}/draft?case={mark_id}", status_code=303)
