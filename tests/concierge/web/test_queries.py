"""Pages send a fixed number of queries however much data they show (no N+1), counted on the real engine."""

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from concierge.app import create_app
from concierge.conversation.models import Channel
from concierge.core.db import session_scope
from concierge.core.settings import get_settings
from knowledge.models import Property, Reservation
from tests.factories import ANA, add_user, make_property, pack_data, receive, sign_in
from tests.querycount import assert_constant_queries, count_queries

GUEST = ANA


def test_counter_sees_queries_from_the_app_threads(prop: Property, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    get_settings.cache_clear()
    add_user("host@example.com", role="staff")
    with TestClient(create_app()) as client:
        sign_in(client, "host@example.com", next="/simulator")
        with count_queries() as queries:
            assert client.get("/simulator").status_code == 200
    assert len(queries) > 0 and all("BEGIN" not in q for q in queries.statements)


def test_simulator_page_does_not_query_per_row(prop: Property, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    monkeypatch.setenv("SIMULATOR_ENABLED", "true")
    get_settings.cache_clear()

    def say(count: int) -> None:
        with session_scope() as s:
            for i in range(count):
                receive(s, prop, f"question {i}", phone=GUEST, channel=Channel.simulator, to="simulator")

    def grow() -> None:
        for i in range(3):
            data = pack_data()
            data["property"] = {**data["property"], "slug": f"other-{i}", "phone_numbers": [f"+1500555010{i}"]}
            make_property(**data)
        with session_scope() as s:
            assert prop.id is not None
            for i in range(30):
                start = date.today() + timedelta(days=30 + i)
                s.add(
                    Reservation(
                        property_id=prop.id,
                        guest_name=f"Guest {i}",
                        phone=f"+3462{i:07d}",
                        check_in=start,
                        check_out=start + timedelta(days=2),
                    )
                )
        say(40)

    say(1)  # the page with one reservation's guest and a one-message transcript, then with many more
    add_user("host@example.com", role="admin")  # sees every property: the list grows with them
    with TestClient(create_app()) as client:
        sign_in(client, "host@example.com", next="/simulator")

        def render() -> None:
            page = client.get("/simulator", params={"property": "casa-test", "phone": GUEST})
            assert page.status_code == 200
            transcript = client.get("/simulator/messages", params={"property": "casa-test", "phone": GUEST})
            assert transcript.status_code == 200

        assert assert_constant_queries(render, grow) <= 14  # both requests sign in and check the property first


def test_helper_catches_a_query_per_row(prop: Property) -> None:
    from sqlmodel import select

    def render_n_plus_one() -> None:
        with session_scope() as s:
            for reservation_id in s.exec(select(Reservation.id)).all():
                s.get(Reservation, reservation_id)  # one query per row: what the guard exists to catch

    def grow() -> None:
        with session_scope() as s:
            assert prop.id is not None
            s.add(
                Reservation(
                    property_id=prop.id,
                    guest_name="X",
                    phone="+34699999999",
                    check_in=date.today(),
                    check_out=date.today() + timedelta(days=1),
                )
            )
        with session_scope() as s:
            s.expunge_all()

    with pytest.raises(AssertionError, match="N\\+1"):
        assert_constant_queries(render_n_plus_one, grow)
