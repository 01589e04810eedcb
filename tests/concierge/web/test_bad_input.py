"""Bad input gets a clear answer, never a 500: ids past 64 bits, an oversized CSV field, a pack nested thousands
of levels deep, a webhook without From, a signed webhook with a repeated field."""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator

from concierge.app import create_app
from concierge.conversation.models import Message
from concierge.core.db import session_scope
from concierge.core.settings import get_settings
from knowledge.models import Property
from tests.factories import AUTH_TOKEN, add_user, concierge, sign, sign_in, twilio_env, webhook_form

HUGE = "9" * 25  # past 64 bits
PUBLIC = "https://concierge.example.com"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    get_settings.cache_clear()
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        yield c


def inbound_count() -> int:
    with session_scope() as s:
        return int(s.exec(select(func.count()).select_from(Message).where(Message.direction == "in")).one())


def test_ids_past_64_bits_are_404_everywhere(client: TestClient, prop: Property) -> None:
    add_user("admin@example.com", role="admin")
    token = sign_in(client, "admin@example.com")
    for path in (
        f"/console/conversations/{HUGE}",
        f"/console/conversations/-{HUGE}",
        f"/console/traces/{HUGE}",
        f"/admin/p/casa-test/reservations/{HUGE}",
        f"/admin/p/casa-test/diff/1/{HUGE}",
        f"/console/conversations/{'9' * 5000}",
        f"/simulator?property=casa-test&guest={HUGE}",
        f"/console/events?conversation={HUGE}",
    ):
        assert client.get(path).status_code == 404, path
    posted = client.post(f"/console/conversations/{HUGE}/claim", data={"csrf_token": token})
    assert posted.status_code == 404
    assert client.post(f"/twilio/status?outbox={HUGE}", data={}).status_code == 404
    for past_the_id_columns in (2**31, 2**63 - 1):  # PostgreSQL's id columns are 32-bit INTEGER
        assert client.get(f"/console/conversations/{past_the_id_columns}").status_code == 404
        assert client.get(f"/console/events?conversation={past_the_id_columns}").status_code == 404
    assert client.get("/console/conversations/2147483647").status_code == 404  # the largest id: found nowhere


def test_a_csv_field_over_the_limit_is_a_clear_answer_naming_the_line(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    token = sign_in(client, "owner@example.com")
    text = "guest_name,phone,check_in,check_out\nAna,+34611111111,2026-12-01,2026-12-03\n" + "x" * 200_000
    response = client.post("/admin/p/casa-test/reservations/csv", data={"csv": text, "csrf_token": token})
    assert response.status_code == 422
    assert "line 3: not readable as CSV" in response.text


def test_a_pack_nested_thousands_of_levels_deep_exits_2(tmp_path: Path, prop: Property) -> None:
    pack = tmp_path / "deep.yaml"
    pack.write_text("property: " + "[" * 5000 + "]" * 5000 + "\n")
    result = concierge("import", str(pack))
    assert result.returncode == 2, result.stderr
    assert f"{pack}: nested too deeply" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_deep_pack_pasted_in_the_admin_is_listed_as_a_problem(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    token = sign_in(client, "owner@example.com")
    text = "property:\n  slug: " + "{a: " * 5000 + "}" * 5000
    response = client.post("/admin/p/casa-test/pack", data={"text": text, "csrf_token": token})
    assert response.status_code == 422 and "nested too deeply" in response.text


def test_a_webhook_without_from_is_400_and_stores_nothing(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    twilio_env(monkeypatch, PUBLIC_URL=PUBLIC)
    with TestClient(create_app(), raise_server_exceptions=False) as twilio_client:
        form = webhook_form("hello")
        del form["From"]
        url = f"{PUBLIC}/twilio/messages"
        response = twilio_client.post("/twilio/messages", data=form, headers={"X-Twilio-Signature": sign(url, form)})
    assert response.status_code == 400
    assert inbound_count() == 0


def test_a_signed_webhook_with_a_repeated_field_validates_as_twilio_does(
    monkeypatch: pytest.MonkeyPatch, prop: Property
) -> None:
    twilio_env(monkeypatch, PUBLIC_URL=PUBLIC, WORKER_IN_PROCESS="false")
    pairs = [*webhook_form("hello").items(), ("MediaUrl0", "https://a.example/1"), ("MediaUrl0", "https://a.example/2")]
    url = f"{PUBLIC}/twilio/messages"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, ImmutableMultiDict(pairs))
    with TestClient(create_app(), raise_server_exceptions=False) as twilio_client:
        response = twilio_client.post(
            "/twilio/messages",
            content=urlencode(pairs).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
        )
        assert response.status_code == 200, response.text
        tampered = [*pairs[:-1], ("MediaUrl0", "https://evil.example/")]
        refused = twilio_client.post(
            "/twilio/messages",
            content=urlencode(tampered).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
        )
        assert refused.status_code == 403
    assert inbound_count() == 1
