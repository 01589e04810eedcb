"""OTLP export of turn traces, over real sockets: a fallback turn's span tree, a collector that is down, and off."""

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from sqlmodel import select

from concierge.conversation.models import Job, Message, Outbox, Trace
from concierge.core.db import session_scope
from concierge.core.settings import Settings, get_settings
from concierge.ops import otel, otel_spans
from concierge.ops.otel_spans import SpanWriter
from concierge.turn.runner import TurnRunner
from concierge.worker.loops import Worker
from knowledge.models import Property
from tests.factories import GOOD_WIFI, JOHN, ROOT, free_port, make_release, store
from tests.fakes.openai_api import FakeModelAPI, use_both_providers
from tests.fakes.otlp_collector import FakeCollector, Received

QUESTION = "what is the wifi password? call me at +447700900123"
CHAIN = "openai:gpt-4o-mini,anthropic:claude-haiku-4-5"
NODES = ["load_context", "detect_language", "screen_input", "retrieve", "respond", "check_output", "decide"]
ERROR, UNSET = 2, 0  # opentelemetry.proto Status.StatusCode values


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeModelAPI]:
    """Both providers on one fake, no retries: a failed primary is one call, the fallback provider another."""
    with FakeModelAPI() as api:
        use_both_providers(api, monkeypatch, LLM_MAX_RETRIES="0")
        get_settings.cache_clear()
        yield api
    get_settings.cache_clear()


@pytest.fixture
def collector() -> Iterator[FakeCollector]:
    with FakeCollector() as c:
        yield c


def receive(prop: Property, body: str = QUESTION) -> int:
    """John's message, stored; its id."""
    message_id = store(prop, body, phone=JOHN).id
    assert message_id is not None
    return message_id


def turn_of(message_id: int) -> tuple[Job, Trace, Message, Outbox | None]:
    with session_scope() as s:
        job = s.exec(select(Job).where(Job.message_id == message_id)).one()
        trace = s.exec(select(Trace).where(Trace.job_id == job.id)).one()
        outbox = s.exec(select(Outbox).where(Outbox.conversation_id == job.conversation_id)).first()
        return job, trace, s.get_one(Message, message_id), outbox


def runner_exporting(monkeypatch: pytest.MonkeyPatch, endpoint: str, **env: str) -> TurnRunner:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
    for key, val in env.items():
        monkeypatch.setenv(key, val)
    get_settings.cache_clear()
    runner = TurnRunner(get_settings())
    assert runner.spans is not None
    return runner


def test_a_fallback_turn_is_exported_as_turn_node_and_model_call_spans(
    prop: Property, fake: FakeModelAPI, collector: FakeCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    release_id = make_release("chain", providers=CHAIN, prompts={"grounded_reply": 1}, active=True)
    fake.fail(500)  # the primary
    fake.answer(GOOD_WIFI)  # the fallback provider
    runner = runner_exporting(
        monkeypatch,
        collector.endpoint + "/",
        OTEL_SERVICE_NAME="concierge-test",
        OTEL_EXPORTER_OTLP_HEADERS="x-tenant=casa%20azul,broken",
    )
    try:
        message_id = receive(prop)
        assert runner.run_next()
        assert runner.spans is not None and runner.spans.flush()
        spans = collector.wait_for(spans=10)
    finally:
        runner.close()
    job, trace, inbound, outbox = turn_of(message_id)
    assert outbox is not None and outbox.body == GOOD_WIFI

    assert len(spans) == 10  # turn + 7 nodes + 2 model calls
    assert {s.resource["service.name"] for s in spans} == {"concierge-test"}
    assert collector.headers[0]["x-tenant"] == "casa azul"
    assert collector.headers[0]["content-type"] == "application/x-protobuf"
    assert len({s.span.trace_id for s in spans}) == 1

    [root] = [s for s in spans if not s.span.parent_span_id]
    assert root.name == "turn"
    nodes = sorted(
        (s for s in spans if s.span.parent_span_id == root.span.span_id), key=lambda s: s.span.start_time_unix_nano
    )
    assert [n.name for n in nodes] == NODES
    [respond] = [n for n in nodes if n.name == "respond"]
    calls = sorted(
        (s for s in spans if s.span.parent_span_id == respond.span.span_id), key=lambda s: s.span.start_time_unix_nano
    )
    assert [c.name for c in calls] == ["chat gpt-4o-mini", "chat claude-haiku-4-5"]

    llm = trace.data["llm"]
    assert root.attributes == {
        "concierge.turn.id": job.id,
        "concierge.conversation.id": job.conversation_id,
        "concierge.property.slug": prop.slug,
        "concierge.channel": "sms",
        "concierge.guest": trace.data["guest"],
        "concierge.language": "en",
        "concierge.knowledge.version": 1,
        "concierge.release.id": release_id,
        "concierge.release.name": "chain",
        "concierge.outcome": "reply",
        "concierge.decision": "reply",
        "concierge.responder": "anthropic:claude-haiku-4-5",
        "concierge.route": "model",
        "concierge.fallback": True,
        "concierge.degraded": False,
        "concierge.cost_usd": pytest.approx(llm["cost_usd"]),
        "concierge.reply.sent": True,
    }
    assert llm["cost_usd"] > 0 and root.attributes["concierge.guest"].startswith("h:")

    failed, answered = calls
    assert failed.attributes["gen_ai.system"] == "openai"
    assert failed.attributes["gen_ai.request.model"] == "gpt-4o-mini"
    assert failed.attributes["error.type"] == "server_error"
    assert failed.attributes["http.response.status_code"] == 500
    assert "gen_ai.usage.input_tokens" not in failed.attributes
    assert failed.span.status.code == ERROR and failed.span.status.message == "server_error 500"
    assert answered.attributes["gen_ai.system"] == "anthropic"
    assert answered.attributes["gen_ai.request.model"] == "claude-haiku-4-5"
    assert answered.attributes["gen_ai.usage.input_tokens"] == llm["calls"][1]["input_tokens"] > 0
    assert answered.attributes["gen_ai.usage.output_tokens"] == llm["calls"][1]["output_tokens"] > 0
    assert answered.span.status.code == UNSET and "error.type" not in answered.attributes
    for call in calls:
        assert call.attributes["concierge.prompt.id"] == "grounded_reply"
        assert call.attributes["concierge.prompt.version"] == 1
        assert call.attributes["concierge.llm.retry"] is False

    # Times: nodes one after the other inside the turn, the calls inside "respond", durations as recorded.
    def bounds(s: Received) -> tuple[int, int]:
        return s.span.start_time_unix_nano, s.span.end_time_unix_nano

    root_start, root_end = bounds(root)
    for node, recorded in zip(nodes, trace.data["nodes"], strict=True):
        start, end = bounds(node)
        assert root_start <= start <= end <= root_end
        assert start - root_start == int(recorded["start_ms"] * 1_000_000)
        assert end - start == int(recorded["ms"] * 1_000_000)
    for before, after in zip(nodes, nodes[1:], strict=False):
        assert bounds(after)[0] >= bounds(before)[1] - 100_000
    for call, recorded in zip(calls, llm["calls"], strict=True):
        assert bounds(respond)[0] <= bounds(call)[0] <= bounds(call)[1] <= bounds(respond)[1] + 1_000_000
        assert bounds(call)[1] - bounds(call)[0] == int(recorded["ms"] * 1_000_000) > 0

    # Privacy: neither the guest's text nor the phone number nor the reply leaves in the export.
    exported = b"".join(collector.bodies)
    for secret in (inbound.body, "7700900123", GOOD_WIFI, "sol-y-mar-2024", "wifi password"):
        assert secret.encode() not in exported


def test_worker_shutdown_sends_the_spans_still_queued(
    prop: Property, collector: FakeCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(otel_spans, "SCHEDULE_DELAY_MILLIS", 600_000)  # no timed batch: only shutdown sends them
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint)
    get_settings.cache_clear()
    worker = Worker(get_settings())
    worker.start()
    try:
        message_id = receive(prop, "what is the wifi password?")
        worker.wake()
        for _ in range(200):
            with session_scope() as s:
                if s.exec(select(Trace).join(Job).where(Job.message_id == message_id)).first():
                    break
            time.sleep(0.05)
        assert collector.spans == []  # queued, not sent yet
    finally:
        worker.stop(timeout=5)
    names = [s.name for s in collector.spans]  # stop() returned: nothing to wait for
    assert names.count("turn") == 1 and "respond" in names


def test_a_collector_that_is_down_never_touches_the_turn_and_is_logged_once(
    prop: Property, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    runner = runner_exporting(monkeypatch, f"http://127.0.0.1:{free_port()}", OTEL_EXPORT_TIMEOUT_SECONDS="0.5")
    assert runner.spans is not None
    caplog.set_level(logging.INFO)
    try:
        for body in ("what is the wifi password?", "and the check-in time?"):
            message_id = receive(prop, body)
            assert runner.run_next()
            assert runner.spans.flush(5.0)  # sent and refused: the batch is done, not stuck
            _job, _trace, _inbound, outbox = turn_of(message_id)
            assert outbox is not None and outbox.body  # the guest got the answer
    finally:
        runner.close()
    failures = [r for r in caplog.records if r.name == "concierge.ops.otel" and "export failed" in r.getMessage()]
    assert len(failures) == 1 and failures[0].levelno == logging.WARNING
    assert failures[0].__dict__["otel_failure"] == "export"
    assert not any("7700900123" in r.getMessage() or "wifi" in r.getMessage() for r in caplog.records)


def test_a_span_that_cannot_be_built_is_logged_and_the_turn_still_replies(
    prop: Property, collector: FakeCollector, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("a bug in the span builder")

    monkeypatch.setattr(SpanWriter, "write", broken)
    runner = runner_exporting(monkeypatch, collector.endpoint)
    try:
        message_id = receive(prop, "what is the wifi password?")
        assert runner.run_next()
    finally:
        runner.close()
    job, _trace, _inbound, outbox = turn_of(message_id)
    assert job.status == "done" and outbox is not None and "CasaTest-5G" in outbox.body
    [failure] = [r for r in caplog.records if r.name == "concierge.ops.otel"]
    assert failure.__dict__["otel_failure"] == "build" and failure.__dict__["error"] == "ValueError"
    assert collector.spans == []


def test_not_configured_exports_nothing_and_imports_no_opentelemetry(prop: Property) -> None:
    message_id = receive(prop, "what is the wifi password?")
    # LangSmith (under LangChain) imports opentelemetry.sdk.trace by itself when it is installed: what must stay
    # out is ours, the OTLP exporter and protobuf, and the batch processor's thread.
    code = (
        "import json, sys, threading; from concierge.turn.runner import TurnRunner;"
        "from concierge.core.settings import get_settings;"
        "runner = TurnRunner(get_settings()); ran = runner.run_next();"
        "mods = sorted(m for m in sys.modules if m.startswith(('opentelemetry.exporter', 'opentelemetry.proto',"
        " 'opentelemetry.sdk.trace.export', 'concierge.ops.otel_spans')));"
        "threads = [t.name for t in threading.enumerate() if t.name.startswith('OtelBatch')];"
        "print(json.dumps({'ran': ran, 'spans': runner.spans, 'modules': mods, 'threads': threads}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update(OTEL_SERVICE_NAME="concierge-test", OTEL_EXPORTER_OTLP_HEADERS="x-tenant=casa")  # no endpoint
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"ran": True, "spans": None, "modules": [], "threads": []}
    _job, _trace, _inbound, outbox = turn_of(message_id)
    assert outbox is not None and "CasaTest-5G" in outbox.body


def test_without_the_packages_a_configured_endpoint_only_logs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "concierge.ops.otel_spans", None)  # what a missing opentelemetry looks like
    settings = Settings(_env_file=None, otel_exporter_otlp_endpoint="http://127.0.0.1:4318")
    assert otel.turn_export(settings) is None
    [warning] = [r for r in caplog.records if r.name == "concierge.ops.otel"]
    assert "not installed" in warning.getMessage()


def test_otlp_headers_are_parsed_like_the_sdk_does() -> None:
    settings = Settings(_env_file=None, otel_exporter_otlp_headers="Authorization=Bearer%20t0k,x-a = b ,junk,=x")
    assert settings.otel_headers == {"authorization": "Bearer t0k", "x-a": "b"}
    assert Settings(_env_file=None).otel_headers == {}
