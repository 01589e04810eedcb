"""A mark suggests the fix (issue 23.3): "should have answered with X" teaches X the guest's words in a draft,
"no entry answers this" opens a new draft entry for the question; the draft's review plays the marked cases
(failing now, passing with the draft), publishing makes `concierge eval --property SLUG --marked` pass."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from concierge.conversation.marks import ReplyMark
from concierge.conversation.models import Message
from concierge.core.db import session_scope
from concierge.ops.evals import marked
from concierge.users.audit import AuditEvent
from knowledge.models import KnowledgeDraft, Property
from tests.factories import add_user, csrf_of, guest_says, other_property, publish_draft, sign_in, trace_of

CAMPER = "Hola, soy Ana López: ¿hay sitio para mi autocaravana?"
GYM = "Is there a gym I can use nearby?"


def bot_reply(prop: Property, body: str) -> Message:
    message = guest_says(prop, body)
    with session_scope() as s:
        reply = s.get(Message, trace_of(message.id).reply_message_id)
        assert reply is not None
        return reply


def mark(client: TestClient, reply: Message, **fields: str) -> ReplyMark:
    page = client.get(f"/console/conversations/{reply.conversation_id}").text
    data = {"csrf_token": csrf_of(page), "note": "", **fields}
    assert client.post(f"/console/replies/{reply.id}/mark", data=data, follow_redirects=False).status_code == 303
    with session_scope() as s:
        return s.exec(select(ReplyMark).where(ReplyMark.reply_message_id == reply.id)).one()


def test_should_have_answered_becomes_a_keyword_checked_on_the_draft_then_published(
    client: TestClient, prop: Property, capsys: pytest.CaptureFixture[str]
) -> None:
    reply = bot_reply(prop, CAMPER)
    add_user("owner@example.com")
    sign_in(client, "owner@example.com", next="/console")
    case = mark(client, reply, verdict="should-answer", topic="parking")
    assert marked.run_marked("casa-test") == 1 and "does not quote parking" in capsys.readouterr().out

    conversation = client.get(f"/console/conversations/{reply.conversation_id}").text
    assert f'href="/admin/p/casa-test/cases/{case.id}/fix"' in conversation  # the fix offered on the marked reply
    assert f'href="/admin/p/casa-test/cases/{case.id}/fix"' in client.get("/console/properties/casa-test/cases").text
    fix = client.get(f"/admin/p/casa-test/cases/{case.id}/fix").text
    assert 'value="autocaravana"' in fix and '<option value="parking" selected>' in fix
    assert "López" not in fix  # the case's words, without the guest's name

    added = client.post(
        f"/admin/p/casa-test/cases/{case.id}/keywords",
        data={"csrf_token": csrf_of(fix), "topic": "parking", "words": "autocaravana"},
    )
    assert added.url.path == "/admin/p/casa-test/draft" and "Keywords" in added.text and "autocaravana" in added.text
    assert marked.run_marked("casa-test") == 1  # only in the draft: the published version still fails
    capsys.readouterr()

    checked = client.post("/admin/p/casa-test/draft/check", data={"csrf_token": csrf_of(added.text)})
    row = checked.text.split(f'id="case-{case.id}"')[1].split("</tr>")[0]
    now, with_draft = row.split('data-label="With this draft"')
    assert "fails" in now and "Does not use parking" in now
    assert "passes" in with_draft and "fails" not in with_draft
    assert "With this draft, 1 of 1 marked cases pass." in checked.text

    assert "Published version 2" in publish_draft(client).text
    assert marked.run_marked("casa-test") == 0 and "1/1 marked cases pass" in capsys.readouterr().out
    # The fix is live: the pages say the case passes instead of offering a fix again.
    for url in (f"/console/conversations/{reply.conversation_id}", "/console/properties/casa-test/cases"):
        shown = client.get(url).text
        assert f'id="fixed-{case.id}"' in shown and f"/cases/{case.id}/fix" not in shown, url
    with session_scope() as s:
        actions = [e.action for e in s.exec(select(AuditEvent))]
    assert {"reply.mark", "kb.draft.keywords", "kb.publish"} <= set(actions)


def test_no_entry_answers_this_opens_a_new_entry_whose_case_then_expects_it(
    client: TestClient, prop: Property, capsys: pytest.CaptureFixture[str]
) -> None:
    reply = bot_reply(prop, GYM)
    add_user("owner@example.com")
    sign_in(client, "owner@example.com", next="/console")
    case = mark(client, reply, verdict="no-entry", topic="")
    assert (case.expect_kind, case.expect_topics) == ("unknown", [])

    fix = client.get(f"/admin/p/casa-test/cases/{case.id}/fix").text
    assert f'href="/admin/p/casa-test/entries/_new?case={case.id}"' in fix
    form = client.get(f"/admin/p/casa-test/entries/_new?case={case.id}").text
    assert f'value="{GYM}"' in form and f'name="case" value="{case.id}"' in form  # prefilled from the question
    entry = {
        "csrf_token": csrf_of(form),
        "case": str(case.id),
        "topic": "custom:gym",
        "title": "Gym",
        "languages": "",
        "new_language": "en",
        "new_content": "The nearest gym is FitSol, Calle Mar 10, open 7:00-22:00; day pass 8 euros.",
        "keywords": "en: gym",
    }
    assert "Saved in your draft" in client.post("/admin/p/casa-test/entries/_new", data=entry).text
    review = client.get("/admin/p/casa-test/draft").text
    checked = client.post("/admin/p/casa-test/draft/check", data={"csrf_token": csrf_of(review)}).text
    assert "With this draft, 1 of 1 marked cases pass." in checked

    assert "Published version 2" in publish_draft(client).text
    with session_scope() as s:
        fixed = s.get(ReplyMark, case.id)
        assert fixed is not None and (fixed.expect_kind, fixed.expect_topics) == ("answer", ["custom:gym"])
    assert marked.run_marked("casa-test") == 0 and "1/1 marked cases pass" in capsys.readouterr().out


def test_another_propertys_marks_cannot_be_fixed_or_checked(client: TestClient, prop: Property) -> None:
    reply = bot_reply(prop, CAMPER)
    add_user("owner@example.com")
    sign_in(client, "owner@example.com", next="/console")
    case = mark(client, reply, verdict="should-answer", topic="parking")

    other_property()
    client.cookies.clear()
    add_user("owner-b@example.com", properties=("casa-b",))
    token = sign_in(client, "owner-b@example.com")
    assert client.get(f"/admin/p/casa-test/cases/{case.id}/fix").status_code == 404
    assert client.get(f"/admin/p/casa-b/cases/{case.id}/fix").status_code == 404  # B's slug, A's mark
    words = {"csrf_token": token, "topic": "parking", "words": "autocaravana"}
    assert client.post(f"/admin/p/casa-b/cases/{case.id}/keywords", data=words).status_code == 404
    assert client.get(f"/admin/p/casa-b/entries/_new?case={case.id}").status_code == 404
    entry = {"csrf_token": token, "case": str(case.id), "topic": "custom:x", "title": "X", "languages": ""}
    assert (
        client.post(
            "/admin/p/casa-b/entries/_new", data={**entry, "new_language": "en", "new_content": "x"}
        ).status_code
        == 404
    )
    with session_scope() as s:
        assert s.exec(select(KnowledgeDraft)).all() == []  # nothing saved for B either

    client.cookies.clear()
    add_user("staff-b@example.com", role="staff", properties=("casa-b",))
    token = sign_in(client, "staff-b@example.com", next="/console")
    assert client.get(f"/console/conversations/{reply.conversation_id}").status_code == 404
    refused = client.post(f"/console/replies/{reply.id}/mark", data={"csrf_token": token, "verdict": "right"})
    assert refused.status_code == 404
    client.cookies.clear()
    add_user("staff@example.com", role="staff")
    sign_in(client, "staff@example.com", next="/console")
    page = client.get(f"/console/conversations/{reply.conversation_id}").text
    assert f"/cases/{case.id}/fix" not in page  # staff mark; owners fix
