"""The dashboard page in-process: numbers and charts rendered, scope (404 and audit), staff refused, bad periods
answered 400, an empty period explained, and a number of queries that does not grow with traffic."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.turn.runner import TurnRunner
from concierge.users.audit import AuditEvent
from knowledge.models import Property
from tests.factories import JOHN, PASSWORD, add_user, csrf_of, guest_says, seed_traffic, sign_in
from tests.querycount import assert_constant_queries

PAGE = "/admin/p/casa-test/dashboard"


def test_owner_sees_the_numbers_charts_and_gaps(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_traffic(monkeypatch, utcnow() - timedelta(minutes=2))
    add_user("owner@example.com")
    sign_in(client, "owner@example.com")
    html = client.get(PAGE).text
    assert "<strong>10</strong> in · <strong>10</strong> out" in html
    assert "<strong>50.0 %</strong>" in html and "4 of 8 guest messages" in html
    assert "1 of 5 conversations" in html and "<strong>22.2 %</strong>" in html
    assert "median 7.0 min, p90 10.0 min" in html
    assert "$0.0006 per conversation, $0.0015 per resolved conversation (2 resolved, 2 model calls)" in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 3
    assert '<title id="chart-reasons-title">Hand-offs by reason</title>' in html
    assert "<title>a question the concierge could not answer: 3</title>" in html and "<title>English: 5</title>" in html
    assert "“Where is the nearest gym?”" in html and "“Is there a gym nearby?”" in html
    assert (
        "/admin/p/casa-test/entries/_new?new=custom%3Agym&amp;title=Where+is+the+nearest+gym%3F&amp;language=en" in html
    )
    assert 'href="/admin/p/casa-test/entries/parking">or improve “parking”' in html
    for phone in ("+34611111111", "611111111", "+447700900123", "+33612345678"):
        assert phone not in html  # guests are counted, never named by number
    form = client.get("/admin/p/casa-test/entries/_new?new=custom%3Agym&title=Where+is+the+nearest+gym%3F&language=en")
    assert 'value="custom:gym"' in form.text and 'value="Where is the nearest gym?"' in form.text
    assert '<option value="en" selected>' in form.text
    assert 'href="/admin/p/casa-test/dashboard"' in client.get("/admin").text


def test_other_owners_get_404_and_staff_403(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_traffic(monkeypatch, utcnow() - timedelta(minutes=2))
    add_user("owner-b@example.com", properties=("casa-b",))
    sign_in(client, "owner-b@example.com")
    assert client.get("/admin/p/casa-b/dashboard").status_code == 200
    response = client.get(PAGE)
    assert response.status_code == 404 and "gym" not in response.text
    with session_scope() as s:
        denied = s.exec(select(AuditEvent).where(AuditEvent.action == "denied")).all()
    assert [e.target for e in denied] == ["property:casa-test"]
    staff = TestClient(client.app)
    add_user("staff@example.com", role="staff")
    token = csrf_of(staff.get("/login").text)
    form = {"email": "staff@example.com", "password": PASSWORD, "csrf_token": token, "next": "/console"}
    assert staff.post("/login", data=form).status_code == 200
    response = staff.get(PAGE)  # staff work the console; the dashboard quotes guests' questions
    assert response.status_code == 403 and "gym" not in response.text


def test_bad_periods_are_400_and_an_empty_one_is_explained(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_traffic(monkeypatch, utcnow() - timedelta(minutes=2))
    add_user("owner@example.com")
    sign_in(client, "owner@example.com")
    for query in ("period=1y", "from=2026-01-01", "from=soon&to=2026-01-02", "from=2026-02-01&to=2026-01-01"):
        response = client.get(f"{PAGE}?{query}", headers={"accept": "text/html"})
        assert response.status_code == 400, query
        assert "<h1" in response.text  # the error page, not a stack trace
    empty = client.get(f"{PAGE}?from=2020-01-01&to=2020-01-31")
    assert empty.status_code == 200 and "Nothing to show yet" in empty.text and "<svg" not in empty.text
    month = client.get(f"{PAGE}?period=30d")
    assert month.status_code == 200 and 'aria-current="page">Last 30 days' in month.text


def test_queries_do_not_grow_with_traffic(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    at = utcnow() - timedelta(minutes=2)
    prop, _prop_b = seed_traffic(monkeypatch, at)
    add_user("owner@example.com")
    sign_in(client, "owner@example.com")

    def render() -> None:
        assert client.get(PAGE).status_code == 200

    def grow() -> None:
        runner = TurnRunner(get_settings(), now=lambda: at)
        for i in range(6):  # new guests, new channels' conversations, new gaps and hand-offs
            phone = f"+3461000000{i}"
            guest_says(prop, f"is there a sauna number {i}?", phone=phone, channel="sms", at=at, runner=runner)
            guest_says(prop, "wifi password?", phone=phone, channel="simulator", at=at, runner=runner)

    count = assert_constant_queries(render, grow)
    # user, property, membership, the dashboard's eight, the marks per week, and the loop's three without cases
    # (the published version, the wrong marks, the cases; their last run when there are cases)
    assert count <= 15, count


def test_replies_marked_wrong_per_week(client: TestClient, prop: Property) -> None:
    guest_says(prop, "what is the wifi password?", phone=JOHN)
    guest_says(prop, "that's not what I asked", phone=JOHN)  # the guest marks the wifi reply wrong
    add_user("owner@example.com")
    sign_in(client, "owner@example.com")
    html = client.get(PAGE).text
    today = utcnow().date()
    monday = (today - timedelta(days=today.weekday())).isoformat()
    row = f'<tr><th scope="row">{monday}</th><td>2</td><td>1</td><td>50.0</td></tr>'
    assert row in html and 'href="/console/properties/casa-test/cases"' in html
