"""Metrics after real traffic, scrape-time backlog gauges, and Sentry events that carry the turn id, not the text."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sentry_sdk
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from concierge.app import create_app
from concierge.channels.sender import Sender
from concierge.core import metrics
from concierge.core.modelbase import utcnow
from concierge.core.observability import configure_sentry
from concierge.core.settings import get_settings
from concierge.llm.types import ResponseRequest, TurnResponse
from concierge.turn.result import Decision, TurnResult, TurnTrace
from concierge.turn.runner import TurnRunner
from knowledge.models import Property
from tests.factories import ANA, LOOPBACK, job_of, store


@pytest.fixture(autouse=True)
def no_background_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests drive turns and deliveries themselves."""
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    get_settings.cache_clear()


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def receive(prop: Property, body: str, *, phone: str = ANA, ago: float = 0) -> int:
    """A guest's message on the simulator, `ago` seconds old; its id."""
    message_id = store(prop, body, channel="simulator", phone=phone, at=utcnow() - timedelta(seconds=ago)).id
    assert message_id is not None
    return message_id


def scrape(client: TestClient) -> dict[str, float]:
    """The /metrics page as {name{labels}: value}."""
    values = {}
    for line in client.get("/metrics").text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            values[key] = float(value)
    return values


def test_turn_and_delivery_metrics_after_traffic(prop: Property) -> None:
    turns = sample("concierge_turns_total", decision="reply", responder="offline")
    escalated = sample("concierge_turns_total", decision="reply_escalate", responder="offline")
    latency = sample("concierge_turn_seconds_count")
    escalations = sample("concierge_escalations_total", reason="no_answer")
    out = sample("concierge_messages_out_total", channel="simulator", author="bot")
    receive(prop, "wifi password?")
    receive(prop, "can I bring my horse to the opera?", phone="+34622222222")
    runner = TurnRunner(get_settings())
    assert runner.run_next() and runner.run_next()
    sender = Sender(get_settings(), now=utcnow)
    while sender.send_next():  # the guests' replies, and the staff alert of the escalation
        pass
    with TestClient(create_app(), client=LOOPBACK) as client:
        scraped = scrape(client)
    assert scraped['concierge_turns_total{decision="reply",responder="offline"}'] == turns + 1
    assert scraped['concierge_turns_total{decision="reply_escalate",responder="offline"}'] == escalated + 1
    assert scraped["concierge_turn_seconds_count"] == latency + 2
    assert scraped['concierge_escalations_total{reason="no_answer"}'] == escalations + 1
    assert scraped['concierge_messages_out_total{author="bot",channel="simulator"}'] == out + 2
    assert scraped["concierge_outbox_backlog"] == 0


def test_outbox_backlog_and_oldest_age_are_read_at_scrape(prop: Property) -> None:
    receive(prop, "wifi password?", ago=300)
    assert TurnRunner(get_settings(), now=lambda: utcnow() - timedelta(seconds=299)).run_next()
    receive(prop, "where can I park?", phone="+34633333333")
    assert TurnRunner(get_settings()).run_next()
    with TestClient(create_app(), client=LOOPBACK) as client:
        scraped = scrape(client)
        assert scraped["concierge_outbox_backlog"] == 2
        assert 299 <= scraped["concierge_outbox_oldest_age_seconds"] < 3600
        assert scraped["concierge_escalations_open"] == 0
        assert Sender(get_settings(), now=utcnow).send_next()
        assert scrape(client)["concierge_outbox_backlog"] == 1


def test_unclaimed_escalations_are_gauged(prop: Property) -> None:
    receive(prop, "can I bring my horse to the opera?")
    assert TurnRunner(get_settings()).run_next()
    with TestClient(create_app(), client=LOOPBACK) as client:
        scraped = scrape(client)
    assert scraped["concierge_escalations_open"] == 1
    assert scraped["concierge_escalations_open_oldest_age_seconds"] >= 0


def test_model_calls_fallbacks_cost_and_checks_are_counted_from_the_turn_result() -> None:
    before = {
        "calls": sample("concierge_llm_calls_total", provider="openai:gpt-4o-mini", outcome="timeout"),
        "errors": sample("concierge_llm_errors_total", provider="openai:gpt-4o-mini"),
        "ok_errors": sample("concierge_llm_errors_total", provider="anthropic:claude-haiku-4-5"),
        "fallbacks": sample("concierge_llm_fallbacks_total", route="fallback"),
        "cost": sample("concierge_llm_cost_usd_total", provider="anthropic:claude-haiku-4-5"),
        "checks": sample("concierge_output_check_failures_total", check="output"),
    }
    result = TurnResult(
        decision=Decision.reply,
        responder="offline",
        checks=["output:ungrounded_number"],
        trace=TurnTrace(
            llm={
                "route": "fallback",
                "calls": [
                    {"provider": "openai:gpt-4o-mini", "outcome": "timeout", "attempt": 1},
                    {"provider": "anthropic:claude-haiku-4-5", "outcome": "ok", "attempt": 1, "cost_usd": 0.0025},
                    {"provider": "anthropic:claude-haiku-4-5", "outcome": "breaker_open"},
                ],
            }
        ),
    )
    metrics.record_turn(result, seconds=0.2)
    metrics.set_breaker_state(provider="openai:gpt-4o-mini", state="open")
    assert sample("concierge_llm_calls_total", provider="openai:gpt-4o-mini", outcome="timeout") == before["calls"] + 1
    assert sample("concierge_llm_errors_total", provider="openai:gpt-4o-mini") == before["errors"] + 1
    assert sample("concierge_llm_errors_total", provider="anthropic:claude-haiku-4-5") == before["ok_errors"]
    assert sample("concierge_llm_fallbacks_total", route="fallback") == before["fallbacks"] + 1
    cost = sample("concierge_llm_cost_usd_total", provider="anthropic:claude-haiku-4-5")
    assert cost == pytest.approx(before["cost"] + 0.0025)
    assert sample("concierge_output_check_failures_total", check="output") == before["checks"] + 1
    assert sample("concierge_llm_breaker_state", provider="openai:gpt-4o-mini") == 2


class CapturingTransport(Transport):
    """Keeps every envelope Sentry would send, in memory."""

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def events(self) -> list[dict[str, Any]]:
        return [item.payload.json for e in self.envelopes for item in e.items if item.type == "event"]


@pytest.fixture
def sentry_events(monkeypatch: pytest.MonkeyPatch) -> Iterator[CapturingTransport]:
    monkeypatch.setenv("SENTRY_DSN", "https://public@sentry.example.com/1")
    get_settings.cache_clear()
    transport = CapturingTransport()
    assert configure_sentry(get_settings(), transport=transport)
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: later tests run without Sentry


class EchoingRouter:
    """A responder that fails and quotes the guest in its exception, as a careless parser would."""

    uses_models = False

    def respond(self, request: ResponseRequest) -> TurnResponse:
        raise ValueError(f"cannot parse {request.text!r}")


def test_sentry_event_of_a_failed_turn_carries_the_turn_id_not_the_text(
    prop: Property, sentry_events: CapturingTransport
) -> None:
    message_id = receive(prop, "my card is 4111 1111 1111 1111, where do I park?")
    runner = TurnRunner(get_settings())
    runner.router = EchoingRouter()  # type: ignore[assignment]
    assert runner.run_next()
    sentry_sdk.flush()
    [event] = sentry_events.events()
    assert event["tags"]["turn_id"] == str(_job_id(message_id))
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    dumped = repr(event)
    assert "where do I park" not in dumped and "4111" not in dumped and "611111111" not in dumped


def _job_id(message_id: int) -> int:
    job_id = job_of(message_id).id
    assert job_id is not None
    return job_id
