"""The web app in-process: health, readiness, metrics, webhook refusal modes, the simulator page."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from alembic import command
from concierge.app import create_app
from concierge.conversation.models import Message
from concierge.core.db import alembic_config, session_scope
from concierge.core.settings import get_settings
from knowledge.models import Property
from tests import factories
from tests.factories import sign


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def twilio_env(monkeypatch: pytest.MonkeyPatch, **extra: str) -> None:
    """Twilio credentials, and the public URL the webhook's signature is computed over."""
    factories.twilio_env(monkeypatch, **{"PUBLIC_URL": "https://concierge.example.com", **extra})


def inbound_count() -> int:
    with session_scope() as s:
        return len(s.exec(select(Message).where(Message.direction == "in")).all())


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"]["ok"] and ready.json()["checks"]["migrations"]["ok"]


def test_readyz_is_503_when_migrations_are_behind(client: TestClient) -> None:
    command.downgrade(alembic_config(), "base")
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["migrations"]["ok"] is False
    finally:
        command.upgrade(alembic_config(), "head")


def test_readyz_is_503_when_the_database_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        response = c.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["database"]["ok"] is False


def test_metrics_are_prometheus_text() -> None:
    with TestClient(create_app(), client=factories.LOOPBACK) as local:
        response = local.get("/metrics")
    assert response.status_code == 200 and "concierge_messages_in_total" in response.text


def test_webhooks_are_refused_without_twilio_credentials(client: TestClient, prop: Property) -> None:
    response = client.post("/twilio/messages", data={"From": "+34611111111", "To": "+15005550006", "Body": "hi"})
    assert response.status_code == 403
    assert inbound_count() == 0


def test_signature_is_checked_on_the_public_url_behind_a_proxy(monkeypatch: pytest.MonkeyPatch, prop: Property) -> None:
    twilio_env(monkeypatch)
    params = {"MessageSid": "SM1", "From": "+34611111111", "To": "+15005550006", "Body": "wifi?"}
    signature = sign("https://concierge.example.com/twilio/messages", params)
    with TestClient(create_app(), base_url="http://10.0.0.5:8000") as c:  # what the app sees behind a proxy
        response = c.post("/twilio/messages", data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    assert inbound_count() == 1


def test_log_only_mode_accepts_and_logs_the_reason(
    monkeypatch: pytest.MonkeyPatch, prop: Property, caplog: pytest.LogCaptureFixture
) -> None:
    twilio_env(monkeypatch, TWILIO_SIGNATURE_MODE="log-only")
    params = {"MessageSid": "SM2", "From": "+34611111111", "To": "+15005550006", "Body": "secret question"}
    with TestClient(create_app()) as c:
        response = c.post("/twilio/messages", data=params, headers={"X-Twilio-Signature": "wrong"})
    assert response.status_code == 200 and inbound_count() == 1
    [record] = [r for r in caplog.records if r.getMessage() == "twilio webhook rejected"]
    assert record.reason == "signature_mismatch"  # type: ignore[attr-defined]
    assert "secret question" not in caplog.text and "611111111" not in caplog.text


def test_oversized_webhook_is_refused(monkeypatch: pytest.MonkeyPatch, client: TestClient) -> None:
    twilio_env(monkeypatch)
    response = client.post(
        "/twilio/messages",
        content=b"Body=" + b"x" * 70_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_simulator_is_off_once_twilio_is_configured(monkeypatch: pytest.MonkeyPatch, prop: Property) -> None:
    twilio_env(monkeypatch)
    with TestClient(create_app()) as c:
        assert c.get("/simulator").status_code == 404
        assert c.post("/simulator/messages", data={"property": "casa-test", "phone": "+34611111111"}).status_code == 404
