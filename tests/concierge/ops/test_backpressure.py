"""Backpressure: an outbox backlog over its threshold shows on /readyz and sends turns down the cheapest path."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from concierge.app import create_app
from concierge.conversation.models import Job, JobStatus, Outbox, Trace
from concierge.core.db import session_scope
from concierge.core.settings import get_settings
from concierge.llm.router import Router
from concierge.llm.types import ResponseRequest, TurnResponse
from concierge.turn.runner import TurnRunner
from knowledge.models import Property
from tests.factories import LOOPBACK, queue_replies, store

OTHER_GUEST = "+34622222222"  # waits for replies in the backlog


class SlowModelRouter(Router):
    """Stands for a configured model provider: answering through it is the expensive path."""

    def __init__(self) -> None:
        super().__init__(["offline"])
        self.calls = 0

    def respond(self, request: ResponseRequest) -> TurnResponse:
        self.calls += 1
        return TurnResponse(text="model answer", entry_ids=[], responder="model:test")


def threshold(monkeypatch: pytest.MonkeyPatch, value: int) -> None:
    monkeypatch.setenv("OUTBOX_BACKLOG_DEGRADED", str(value))
    get_settings.cache_clear()


def test_readyz_reports_degraded_but_stays_ready_over_the_threshold(
    prop: Property, monkeypatch: pytest.MonkeyPatch
) -> None:
    threshold(monkeypatch, 2)
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")  # keep the queued replies where they are
    queue_replies(prop, "reply 0", "reply 1", guest=OTHER_GUEST)
    with TestClient(create_app()) as client:
        calm = client.get("/readyz")
        assert calm.status_code == 200 and calm.json()["status"] == "ok"
        assert calm.json()["checks"]["outbox_backlog"] == {"ok": True, "degraded": False, "backlog": 2, "threshold": 2}
        queue_replies(prop, "reply 0", guest="+34633333333")
        busy = client.get("/readyz")
    # Still 200: taking the instance out of the load balancer would stop it from accepting webhooks too.
    assert busy.status_code == 200 and busy.json()["status"] == "degraded"
    assert busy.json()["checks"]["outbox_backlog"] == {"ok": True, "degraded": True, "backlog": 3, "threshold": 2}


def test_turns_skip_the_models_while_the_outbox_is_backlogged(prop: Property, monkeypatch: pytest.MonkeyPatch) -> None:
    threshold(monkeypatch, 0)
    queue_replies(prop, "reply 0", guest=OTHER_GUEST)
    runner = TurnRunner(get_settings())
    router = SlowModelRouter()
    runner.router = router
    store(prop, "wifi password?")
    assert runner.run_next()
    assert router.calls == 0
    with session_scope() as s:
        assert s.exec(select(Job)).one().status == JobStatus.done
        trace = s.exec(select(Trace)).one().data
        reply = s.exec(select(Outbox).order_by(Outbox.id.desc())).first()  # type: ignore[union-attr]
    assert trace["degraded"] is True and trace["responder"] == "offline"
    assert reply is not None and "sol-y-mar-2024" in reply.body


def test_turns_use_the_configured_models_below_the_threshold(prop: Property, monkeypatch: pytest.MonkeyPatch) -> None:
    threshold(monkeypatch, 5)
    queue_replies(prop, "reply 0", guest=OTHER_GUEST)
    runner = TurnRunner(get_settings())
    router = SlowModelRouter()
    runner.router = router
    store(prop, "wifi password?")
    assert runner.run_next()
    assert router.calls == 1
    with session_scope() as s:
        trace = s.exec(select(Trace)).one().data
    assert trace["degraded"] is False and trace["responder"] == "model:test"


def test_turns_waiting_and_running_show_on_readyz_and_metrics(prop: Property, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")  # the test claims turns itself
    get_settings.cache_clear()
    store(prop, "wifi password?")
    store(prop, "where can I park?")  # the same guest: waits behind the first
    store(prop, "hello!", phone=OTHER_GUEST)
    runner = TurnRunner(get_settings())
    assert runner.claim() is not None  # a worker is running Ana's first turn
    with TestClient(create_app(), client=LOOPBACK) as client:
        assert client.get("/readyz").json()["checks"]["turns"] == {"ok": True, "waiting": 2, "running": 1}
        metrics = client.get("/metrics").text
    assert 'concierge_turns_backlog{state="waiting"} 2.0' in metrics
    assert 'concierge_turns_backlog{state="running"} 1.0' in metrics
