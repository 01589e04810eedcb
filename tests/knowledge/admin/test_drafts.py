"""The draft in the admin: edits saved without going live, the banner, preview on the draft, review, publish
(audited), discard, the choice when an entry was changed meanwhile, and the scope of every draft page."""

import re

from fastapi.testclient import TestClient
from sqlmodel import select

from concierge.core.db import session_scope
from concierge.users.audit import AuditEvent
from knowledge import service as knowledge_service
from knowledge.models import Property
from tests.factories import add_user, csrf_of, other_property, publish_draft, sign_in

URL = "/admin/p/casa-test/entries/check_in"


def edit(token: str, es: str, en: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "topic": "check_in",
        "title": "Check-in",
        "languages": "es,en",
        "content.es": es,
        "content.en": en,
    }


def published_check_in(prop: Property) -> str:
    with session_scope(readonly=True) as s:
        version = knowledge_service.published_version(s, property_id=prop.id or 0)
        assert version is not None
        return str(next(e for e in version.entries if e["topic"] == "check_in")["content"]["en"])


def test_save_preview_publish_and_audit(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    token = sign_in(client, "owner@example.com")
    assert "Edits are saved in a draft first" in client.get("/admin/p/casa-test").text
    saved = client.post(URL, data=edit(token, "Desde las 16:30.", "Check-in is from 16:30."))
    assert "Saved in your draft" in saved.text and "Your draft is not published yet" in saved.text
    assert "Changed in your draft: check-in." in saved.text
    assert published_check_in(prop) == "Check-in is from 15:00."
    assert "16:30" in client.get(URL).text  # the form shows the draft's entry

    preview = client.post(
        "/admin/p/casa-test/preview", data={"csrf_token": token, "question": "what time is check-in?", "phone": ""}
    )
    assert 'id="preview-reply">Check-in is from 16:30.' in preview.text
    assert 'id="preview-version">your draft' in preview.text
    published = client.post(
        "/admin/p/casa-test/preview",
        data={"csrf_token": token, "question": "what time is check-in?", "phone": "", "use": "published"},
    )
    assert 'id="preview-reply">Check-in is from 15:00.' in published.text

    review = client.get("/admin/p/casa-test/draft").text
    assert "<del>15:00.</del>" in review or "15:00" in review
    assert "Published version 2" in publish_draft(client).text
    assert published_check_in(prop) == "Check-in is from 16:30."
    assert "Your draft is not published yet" not in client.get("/admin/p/casa-test").text
    with session_scope() as s:
        actions = [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.id))]  # type: ignore[arg-type]
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "kb.publish")).one()
    assert actions[-2:] == ["kb.draft.save", "kb.publish"] and event.detail == {"version": 2, "fixed_cases": []}
    assert client.get("/admin/p/casa-test/draft", follow_redirects=False).status_code == 303  # no draft: back


def test_discard_and_remove_in_the_draft(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    token = sign_in(client, "owner@example.com")
    client.post("/admin/p/casa-test/entries/pool/delete", data={"csrf_token": token})
    with session_scope(readonly=True) as s:
        version = knowledge_service.published_version(s, property_id=prop.id or 0)
        assert version is not None and "pool" in {e["topic"] for e in version.entries}  # still live
    page = client.get("/admin/p/casa-test").text
    assert 'href="/admin/p/casa-test/entries/pool"' not in page and "Changed in your draft: the pool." in page
    discarded = client.post("/admin/p/casa-test/draft/discard", data={"csrf_token": token})
    assert "Draft discarded" in discarded.text and 'href="/admin/p/casa-test/entries/pool"' in discarded.text


def test_a_change_published_meanwhile_is_never_undone_silently(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    token = sign_in(client, "owner@example.com")
    client.post(URL, data=edit(token, "Desde las 16:30.", "Check-in is from 16:30."))
    rollback = client.get("/admin/p/casa-test/rollback/1")
    assert rollback.status_code == 200
    with session_scope() as s:  # meanwhile the CLI publishes check-in at 14:00 (v2)
        from knowledge import editing

        entry = {"topic": "check_in", "title": "Check-in", "content": {"es": "Desde las 14:00.", "en": "From 14:00."}}
        editing.save_entry(s, property_id=prop.id or 0, entry=entry, replaces="check_in", author="cli")
    review = client.get("/admin/p/casa-test/draft").text
    assert "Changed meanwhile" in review and 'name="keep.check_in"' in review
    refused = client.post("/admin/p/casa-test/draft/publish", data={"csrf_token": csrf_of(review)})
    assert refused.status_code == 409 and "Nothing was published" in refused.text
    assert published_check_in(prop) == "From 14:00."
    assert "Published version 3" in publish_draft(client, **{"keep.check_in": "draft"}).text
    assert published_check_in(prop) == "Check-in is from 16:30."


def test_draft_pages_are_scoped_and_owner_only(client: TestClient, prop: Property) -> None:
    other_property()
    add_user("owner-b@example.com", properties=("casa-b",))
    token = sign_in(client, "owner-b@example.com")
    for path in ("/admin/p/casa-test/draft", "/admin/p/casa-test/entries/check_in"):
        assert client.get(path).status_code == 404
    for path in ("/admin/p/casa-test/draft/publish", "/admin/p/casa-test/draft/discard", URL):
        assert client.post(path, data=edit(token, "x", "y")).status_code == 404
    client.cookies.clear()
    add_user("staff@example.com", role="staff")
    token = sign_in(client, "staff@example.com", next="/console")
    assert client.post("/admin/p/casa-test/draft/discard", data={"csrf_token": token}).status_code == 403
    page = client.get("/admin/p/casa-test/draft")
    assert page.status_code == 403 and not re.search(r"\bon\w+=", page.text)
