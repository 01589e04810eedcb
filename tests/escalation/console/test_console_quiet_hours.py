"""Quiet hours on the console page (scoped, validated, audited) and the CLI; the guest's next answer follows them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from concierge.conversation.models import Outbox
from concierge.core.db import session_scope
from concierge.users.audit import AuditEvent
from concierge.users.models import User
from escalation import notify
from knowledge.models import Property
from tests.factories import PASSWORD, add_user, concierge, guest_asks_for_person, other_property, sign_in

URL = "/console/p/casa-test/quiet-hours"


def answer_to_person_request(prop: Property, phone: str) -> str:
    """What a guest writing from `phone` is told when they ask for a person (in Spanish: the property's language)."""
    conversation_id = guest_asks_for_person(prop, phone=phone, body="quiero hablar con una persona, por favor")
    with session_scope() as s:
        row = s.exec(
            select(Outbox)
            .where(Outbox.conversation_id == conversation_id, Outbox.to_address == phone)
            .order_by(col(Outbox.id).desc())
        ).first()
        assert row is not None
        return row.body


def around_now(prop: Property) -> tuple[str, str]:
    local = datetime.now(ZoneInfo(prop.timezone))
    return (local - timedelta(hours=1)).strftime("%H:%M"), (local + timedelta(hours=1)).strftime("%H:%M")


def test_setting_quiet_hours_on_the_page_changes_the_guests_next_answer(client: TestClient, prop: Property) -> None:
    add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    token = sign_in(client, "staff-a@example.com", next="/console")
    before = answer_to_person_request(prop, "+34600000101")
    assert "en unos 15 minutos" in before
    start, end = around_now(prop)
    saved = client.post(URL, data={"csrf_token": token, "start": start, "end": end})
    assert saved.status_code == 200 and f"from {start} to {end}" in saved.text
    during = answer_to_person_request(prop, "+34600000102")
    assert f"Responden a partir de las {end}" in during
    cleared = client.post(URL, data={"csrf_token": token, "start": "", "end": ""})
    assert "no quiet hours" in cleared.text
    assert "en unos 15 minutos" in answer_to_person_request(prop, "+34600000103")
    with session_scope() as s:
        actions = [e.action for e in s.exec(select(AuditEvent).where(col(AuditEvent.action).startswith("quiet_hours")))]
        assert actions == ["quiet_hours.set", "quiet_hours.clear"]


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        ("25:00", "08:00", "25:00 is not a time like 22:00"),
        ("22:00", "8am", "8am is not a time like 22:00"),
        ("22:00", "", "Give both a start and an end"),
        ("07:30", "07:30", "the same time"),
    ],
)
def test_invalid_quiet_hours_are_explained_and_change_nothing(
    client: TestClient, prop: Property, start: str, end: str, problem: str
) -> None:
    add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    token = sign_in(client, "staff-a@example.com", next="/console")
    client.post(URL, data={"csrf_token": token, "start": "23:00", "end": "07:00"})
    page = client.post(URL, data={"csrf_token": token, "start": start, "end": end})
    assert page.status_code == 422 and problem in page.text
    assert f'value="{start}"' in page.text  # what was typed stays in the form
    with session_scope() as s:
        row = notify.policy(s, property_id=prop.id or 0)
        assert row is not None and (row.quiet_start, row.quiet_end) == ("23:00", "07:00")


def test_other_properties_quiet_hours_are_404(client: TestClient, prop: Property) -> None:
    other_property()
    add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    token = sign_in(client, "staff-a@example.com", next="/console")
    assert client.get(URL).status_code == 200
    assert client.get("/console/p/casa-b/quiet-hours").status_code == 404
    denied = client.post("/console/p/casa-b/quiet-hours", data={"csrf_token": token, "start": "22:00", "end": "08:00"})
    assert denied.status_code == 404
    with session_scope() as s:
        b = s.exec(select(Property).where(Property.slug == "casa-b")).one()
        assert notify.policy(s, property_id=b.id or 0) is None


def test_quiet_hours_page_speaks_the_staff_members_language(client: TestClient, prop: Property) -> None:
    add_user("staff-a@example.com", role="staff", properties=("casa-test",))
    with session_scope() as s:
        s.exec(select(User)).one().language = "fr"
    token = sign_in(client, "staff-a@example.com", next="/console")
    page = client.post(URL, data={"csrf_token": token, "start": "22:00", "end": ""})
    assert "Heures calmes" in page.text and "Indiquez un début et une fin" in page.text


def test_cli_sets_shows_and_clears_quiet_hours(prop: Property) -> None:
    result = concierge("quiet-hours", "casa-test", "--start", "22:30", "--end", "07:00")
    assert result.returncode == 0, result.stderr
    assert "22:30–07:00 (Europe/Madrid)" in result.stdout
    bad = concierge("quiet-hours", "casa-test", "--start", "22:30")
    assert bad.returncode == 2 and "Give both a start and an end" in bad.stderr
    assert concierge("quiet-hours", "casa-test", "--clear").stdout.strip() == "casa-test: no quiet hours"


def test_users_add_takes_a_language(database_url: str) -> None:
    result = concierge(
        "users", "add", "--email", "l@example.com", "--role", "staff", "--language", "ja", stdin=PASSWORD
    )
    assert result.returncode == 0, result.stderr
    bad = concierge("users", "add", "--email", "m@example.com", "--role", "staff", "--language", "xx", stdin=PASSWORD)
    assert bad.returncode == 2 and "language: 'xx'" in bad.stderr
    with session_scope() as s:
        assert [u.language for u in s.exec(select(User))] == ["ja"]
