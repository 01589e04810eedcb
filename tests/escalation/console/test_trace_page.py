"""The console's trace page: one turn as a timeline, for staff of the property and admins; others get a 404."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from concierge.core.db import session_scope
from concierge.core.settings import get_settings
from concierge.guard import privacy as guard_service
from knowledge.models import Property
from tests.factories import GOOD_WIFI, JOHN, PROPERTY_NUMBER, add_user, guest_says, other_property, sign_in, trace_of
from tests.fakes.openai_api import FakeModelAPI, use_openai
from tests.querycount import assert_constant_queries, count_queries


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeModelAPI]:
    with FakeModelAPI() as api:
        use_openai(api, monkeypatch, LLM_RETRY_BASE_SECONDS="0.01")
        get_settings.cache_clear()
        yield api


def turn(prop: Property, body: str, *, phone: str = JOHN, to: str = PROPERTY_NUMBER) -> tuple[int, int]:
    """Run one guest message; returns (conversation id, trace id)."""
    message = guest_says(prop, body, phone=phone, to=to)
    trace_id = trace_of(message.id).id
    assert trace_id is not None
    return message.conversation_id, trace_id


def test_trace_page_shows_the_turn_as_a_timeline(client: TestClient, prop: Property, fake: FakeModelAPI) -> None:
    fake.fail(500)
    fake.answer(GOOD_WIFI)
    conversation_id, trace_id = turn(prop, "what is the wifi password?")
    add_user("staff@example.com", role="staff")
    sign_in(client, "staff@example.com", next="/console")

    page = client.get(f"/console/conversations/{conversation_id}")
    assert f'href="/console/traces/{trace_id}"' in page.text  # the bot's reply links to its trace

    html = client.get(f"/console/traces/{trace_id}").text
    rows = re.findall(r'<tr class="(node|call)[^"]*" data-kind="\w+">\s*<td>(?:↳ )?([^<]+)', html)
    assert [label.strip() for _kind, label in rows] == [
        "load_context",
        "detect_language",
        "screen_input",
        "retrieve",
        "respond",
        "openai:gpt-4o-mini · answer #1",
        "openai:gpt-4o-mini · answer #2",
        "check_output",
        "decide",
    ]
    assert html.count("<svg") == 9 and 'class="err"' in html  # the failed call's bar is drawn as an error
    assert "server_error 500" in html and "gpt-4o-mini" in html and "grounded_reply@" in html
    assert re.search(r"<td>\d+ / \d+</td>", html)  # tokens of the answered call
    assert "route model" in html and "version 1" in html and "providers openai:gpt-4o-mini" in html
    assert 'en <span class="hint">(' in html  # language with its reason
    assert "<td>wifi</td>" in html and "selected" in html  # retrieval candidates
    assert "verdict question" in html and "passed" in html  # screening and output checks
    assert GOOD_WIFI in html  # the reply, read from the transcript (retention applies to it there)
    assert "7700900123" not in html  # never the guest's phone number


def test_trace_page_is_404_outside_the_property_and_open_to_admins(client: TestClient, prop: Property) -> None:
    conversation_id, trace_id = turn(prop, "what is the wifi password?")
    other = other_property()
    other_conversation, other_trace = turn(other, "wifi?", phone="+34622222222", to="+15005550007")
    staff = add_user("staff@example.com", role="staff")
    add_user("admin@example.com", role="admin", properties=())
    sign_in(client, "staff@example.com", next="/console")
    assert client.get(f"/console/traces/{trace_id}").status_code == 200
    assert client.get(f"/console/traces/{other_trace}").status_code == 404
    assert client.get(f"/console/traces/{other_trace + 1000}").status_code == 404
    client.cookies.clear()
    sign_in(client, "admin@example.com", next="/console")
    assert client.get(f"/console/traces/{other_trace}").status_code == 200
    client.cookies.clear()
    assert client.get(f"/console/traces/{trace_id}", follow_redirects=False).status_code in (302, 303, 401)
    with session_scope() as s:  # reading a trace is reading the conversation: audited, refusals leave nothing
        assert [(e.user_id, e.action) for e in guard_service.audit_log(s, conversation_id=conversation_id)] == [
            (staff.id, "conversation.trace")
        ]
        assert [e.action for e in guard_service.audit_log(s, conversation_id=other_conversation)] == [
            "conversation.trace"
        ]


def test_trace_page_and_transcript_links_use_a_bounded_number_of_queries(client: TestClient, prop: Property) -> None:
    conversation_id, trace_id = turn(prop, "what is the wifi password?")
    add_user("staff@example.com", role="staff")
    sign_in(client, "staff@example.com", next="/console")
    with count_queries() as queries:
        assert client.get(f"/console/traces/{trace_id}").status_code == 200
    # sign-in, scope, trace + conversation, the audit insert, and the mark form (the marks, the entries it offers)
    assert len(queries) <= 9, queries.statements

    def render() -> None:
        assert client.get(f"/console/conversations/{conversation_id}").status_code == 200

    def grow() -> None:
        for body in ("where do I park?", "check-in time?", "thanks"):
            turn(prop, body)

    assert_constant_queries(render, grow)
