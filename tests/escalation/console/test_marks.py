"""Marking replies in the console: a mark keeps a case (no names or numbers), `concierge eval --marked` plays it,
the owner's fix in the admin makes it pass; scoped and audited like every console action."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from concierge.conversation.marks import ReplyMark
from concierge.conversation.models import Message
from concierge.core.db import session_scope
from concierge.ops.evals import marked
from concierge.ops.evals.cases import load_cases
from concierge.users.audit import AuditEvent
from knowledge.models import Property
from tests.factories import (
    ANA,
    JOHN,
    add_user,
    csrf_of,
    guest_says,
    other_property,
    publish_draft,
    save_parking,
    sign_in,
    trace_of,
)

QUESTION = "Hola, soy Ana López (+34 611 111 111): ¿hay sitio para mi autocaravana?"


def bot_reply(prop: Property, body: str, *, phone: str = ANA) -> Message:
    message = guest_says(prop, body, phone=phone)
    with session_scope() as s:
        reply = s.get(Message, trace_of(message.id).reply_message_id)
        assert reply is not None
        return reply


def mark(client: TestClient, reply: Message, token: str, **fields: str) -> int:
    data = {"csrf_token": token, "verdict": "should-answer", "topic": "parking", "note": "", **fields}
    return client.post(f"/console/replies/{reply.id}/mark", data=data, follow_redirects=False).status_code


def test_a_mark_becomes_a_case_that_fails_until_the_owner_fixes_the_entry(
    client: TestClient, prop: Property, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    reply = bot_reply(prop, QUESTION)
    assert "Plaza 14" not in reply.body  # the concierge does not know a camper van is about parking
    add_user("owner@example.com", role="owner")
    sign_in(client, "owner@example.com", next="/console")
    page = client.get(f"/console/conversations/{reply.conversation_id}").text
    assert f'action="/console/replies/{reply.id}/mark"' in page and "Should have handed over" in page

    token = csrf_of(page)
    assert mark(client, reply, token, note="Ana López asked, call +34 611 111 111") == 303
    with session_scope() as s:
        case = s.exec(select(ReplyMark)).one()
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "reply.mark")).one()
    expected = ("should-answer", "answer", ["parking"], "booked")
    assert (case.verdict, case.expect_kind, case.expect_topics, case.guest) == expected
    assert case.messages == ["Hola, soy [name] ([phone]): ¿hay sitio para mi autocaravana?"]
    assert "López" not in case.note and "611" not in case.note
    assert case.knowledge_version == reply.knowledge_version == 1
    assert event.detail == {"reply": reply.id, "mark": case.id, "verdict": "should-answer", "knowledge_version": 1}
    assert event.user_id is not None and event.target == f"conversation:{reply.conversation_id}"

    assert marked.run_marked("casa-test", export=tmp_path / "marked.yaml") == 1  # knowledge version 1: fails
    out = capsys.readouterr().out
    assert f"FAIL  casa-test-mark-{case.id}" in out and "does not quote parking" in out and "0/1" in out
    exported = load_cases(tmp_path / "marked.yaml")  # the realistic runner's loader reads the export
    assert [(c.id, c.spec.kind if c.spec else None, c.topics) for c in exported] == [
        (f"casa-test-mark-{case.id}", "answer", ["parking"])
    ]

    save_parking(client, keywords="es: autocaravana\nen: camper van")
    assert marked.run_marked("casa-test") == 1  # saved in the draft only: the published version still fails
    capsys.readouterr()
    assert "Published version 2" in publish_draft(client).text
    assert marked.run_marked("casa-test") == 0  # the owner's keyword, published as version 2: it passes
    assert "1/1 marked cases pass" in capsys.readouterr().out

    cases_page = client.get("/console/properties/casa-test/cases").text
    assert "[name]" in cases_page and "López" not in cases_page
    delete = {"csrf_token": csrf_of(cases_page)}
    assert client.post(f"/console/properties/casa-test/cases/{case.id}/delete", data=delete).status_code == 200
    assert marked.run_marked("casa-test") == 0 and "casa-test: no marked case yet" in capsys.readouterr().out
    with session_scope() as s:
        assert s.exec(select(ReplyMark)).one().case_deleted  # the mark stays in the history


def test_staff_of_another_property_get_404_and_staff_cannot_delete(client: TestClient, prop: Property) -> None:
    reply = bot_reply(prop, "what is the wifi password?")
    other_property()
    add_user("other@example.com", role="staff", properties=("casa-b",))
    token = sign_in(client, "other@example.com", next="/console")
    assert mark(client, reply, token, verdict="right", topic="") == 404
    assert client.get("/console/properties/casa-test/cases").status_code == 404
    with session_scope() as s:
        assert s.exec(select(ReplyMark)).all() == []

    client.cookies.clear()
    add_user("staff@example.com", role="staff")
    token = sign_in(client, "staff@example.com", next="/console")
    assert mark(client, reply, token, verdict="right", topic="") == 303
    with session_scope() as s:
        case = s.exec(select(ReplyMark)).one()
    assert (case.expect_kind, case.expect_topics) == ("answer", ["wifi"])  # right: keep it right
    html = client.get("/console/properties/casa-test/cases").text
    assert "Delete this case" not in html
    url = f"/console/properties/casa-test/cases/{case.id}/delete"
    assert client.post(url, data={"csrf_token": token}).status_code == 404
    assert client.post(f"/console/replies/{reply.id}/mark", data={"verdict": "right"}).status_code == 403  # no CSRF


def test_trace_page_marks_the_reply_and_a_bad_form_is_refused(client: TestClient, prop: Property) -> None:
    reply = bot_reply(prop, "what is the wifi password?")
    add_user("staff@example.com", role="staff")
    sign_in(client, "staff@example.com", next="/console")
    trace = trace_of(_inbound_id(reply))
    html = client.get(f"/console/traces/{trace.id}").text
    assert f'action="/console/replies/{reply.id}/mark"' in html
    token = csrf_of(html)
    response = client.post(
        f"/console/replies/{reply.id}/mark",
        data={"csrf_token": token, "verdict": "should-hand-over", "back": f"/console/traces/{trace.id}"},
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/console/traces/{trace.id}#reply-{reply.id}"
    refused = mark(client, reply, token, topic="")  # "should have answered" without the entry
    assert refused == 303
    with session_scope() as s:
        assert [m.expect_kind for m in s.exec(select(ReplyMark))] == ["person"]
    page = client.get(f"/console/traces/{trace.id}").text
    assert "Should have handed over" in page and not re.search(r"\bon\w+=", page)


def _inbound_id(reply: Message) -> int:
    with session_scope() as s:
        found = s.exec(
            select(Message.id).where(Message.conversation_id == reply.conversation_id, Message.direction == "in")
        ).first()
        assert found is not None
        return found


def test_only_an_owner_of_the_property_deletes_its_cases(client: TestClient, prop: Property) -> None:
    reply = bot_reply(prop, "what is the wifi password?")
    add_user("owner@example.com", role="owner")
    token = sign_in(client, "owner@example.com", next="/console")
    assert mark(client, reply, token, verdict="right", topic="") == 303
    with session_scope() as s:
        case_id = s.exec(select(ReplyMark.id)).one()
    url = f"/console/properties/casa-test/cases/{case_id}/delete"
    other_property()
    for email, role in (("staff-b@example.com", "staff"), ("owner-b@example.com", "owner")):
        client.cookies.clear()
        add_user(email, role=role, properties=("casa-b",))
        token = sign_in(client, email, next="/console")
        assert client.post(url, data={"csrf_token": token}).status_code == 404, email
        other = f"/console/properties/casa-b/cases/{case_id}/delete"  # the case is not casa-b's either
        assert client.post(other, data={"csrf_token": token}).status_code == 404, email
    with session_scope() as s:
        assert not s.exec(select(ReplyMark)).one().case_deleted
        assert not s.exec(select(AuditEvent).where(AuditEvent.action == "case.delete")).all()

    client.cookies.clear()
    token = sign_in(client, "owner@example.com", next="/console")
    assert client.post(url, data={"csrf_token": token}, follow_redirects=False).status_code == 303
    with session_scope() as s:
        assert s.exec(select(ReplyMark)).one().case_deleted
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "case.delete")).one()
    assert event.detail == {"mark": case_id} and event.target == "property:casa-test"


def test_a_guest_with_a_stay_ahead_is_an_upcoming_guest_in_the_case(client: TestClient, prop: Property) -> None:
    reply = bot_reply(prop, "what time is check-in?", phone=JOHN)  # John arrives in 20 days
    add_user("staff@example.com", role="staff")
    token = sign_in(client, "staff@example.com", next="/console")
    assert mark(client, reply, token, verdict="right", topic="") == 303
    with session_scope() as s:
        assert s.exec(select(ReplyMark.guest)).one() == "upcoming"


@pytest.mark.parametrize(
    ("verdict", "topic", "expected"),
    [
        ("right", "", ("answer", ["wifi"])),
        ("wrong-topic", "parking", ("answer", ["parking"])),
        ("wrong-topic", "", ("unknown", [])),
        ("wrong-facts", "", ("answer", ["wifi"])),
        ("should-hand-over", "", ("person", [])),
        ("should-answer", "check_in", ("answer", ["check_in"])),
    ],
)
def test_every_kind_of_mark_from_the_trace_page_is_kept_and_audited(
    client: TestClient, prop: Property, verdict: str, topic: str, expected: tuple[str, list[str]]
) -> None:
    reply = bot_reply(prop, "what is the wifi password?")
    add_user("staff@example.com", role="staff")
    sign_in(client, "staff@example.com", next="/console")
    trace = trace_of(_inbound_id(reply))
    html = client.get(f"/console/traces/{trace.id}").text
    assert '<option value="parking">Parking</option>' in html  # the property's entries, by their titles
    data = {"csrf_token": csrf_of(html), "verdict": verdict, "topic": topic, "note": "seen in the trace"}
    data["back"] = f"/console/traces/{trace.id}"
    assert client.post(f"/console/replies/{reply.id}/mark", data=data, follow_redirects=False).status_code == 303
    with session_scope() as s:
        case = s.exec(select(ReplyMark)).one()
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "reply.mark")).one()
    assert (case.expect_kind, case.expect_topics, case.note) == (*expected, "seen in the trace")
    assert event.detail["reply"] == reply.id and event.detail["verdict"] == verdict
    assert event.detail["knowledge_version"] == 1 and event.user_id == case.user_id and event.at is not None
