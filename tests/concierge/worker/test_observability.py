"""What an operator scrapes from running processes: the worker child's turns on `serve`'s /metrics, the worker's
own /metrics and /healthz ports, and Sentry configured by the command line in every process."""

import logging
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import sentry_sdk
from sqlmodel import col, select

from concierge import cli
from concierge.conversation.models import Outbox, OutboxStatus
from concierge.core.db import session_scope
from concierge.core.observability import scrub_event
from knowledge.models import Property
from tests.e2e.server import Process, serve_process
from tests.factories import ANA, add_user, free_port, sign_in, store


def scrape(base: str) -> dict[str, float]:
    """A /metrics page as {name{labels}: value}."""
    values = {}
    for line in httpx.get(f"{base}/metrics", timeout=10).text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            values[key] = float(value)
    return values


def wait_for_sent_reply(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope(readonly=True) as s:
            if s.exec(select(Outbox).where(col(Outbox.status) == OutboxStatus.sent)).first() is not None:
                return
        time.sleep(0.2)
    raise AssertionError("the reply was never sent")


def no_shared_metrics_env() -> dict[str, str]:
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)  # each test process stands alone
    return {"WORKER_POLL_SECONDS": "0.05", "LOG_LEVEL": "WARNING"}


def test_serve_metrics_show_the_worker_childs_turn_and_delivery(prop: Property) -> None:
    # The worker as serve's child (the default on SQLite; asked for on PostgreSQL).
    server, base = serve_process({**no_shared_metrics_env(), "LOG_LEVEL": "INFO", "WORKER_IN_PROCESS": "true"})
    server.start(timeout=120)
    try:
        before = scrape(base)
        assert before.get("concierge_turn_seconds_count", 0.0) == 0.0
        add_user("host@example.com", role="staff")
        with httpx.Client(base_url=base, timeout=10, follow_redirects=True) as host:
            token = sign_in(host, "host@example.com", next="/simulator")  # the simulator needs a signed-in member
            sent = host.post(
                "/simulator/messages",
                data={"property": prop.slug, "phone": ANA, "body": "What is the wifi password?", "csrf_token": token},
                headers={"accept": "application/json"},
            )
        assert sent.status_code == 202, sent.text
        wait_for_sent_reply()
        after = scrape(base)
    finally:
        server.stop()
    assert after["concierge_turn_seconds_count"] == 1.0
    assert sum(v for k, v in after.items() if k.startswith("concierge_turns_total{")) == 1.0
    assert after['concierge_messages_out_total{author="bot",channel="simulator"}'] == 1.0
    assert "concierge_outbox_backlog" in after  # the scrape-time gauges are still there
    logs = server.stderr()
    assert "Uvicorn running on" in logs and "color_message" not in logs and "\x1b[" not in logs  # clean JSON


def test_worker_serves_health_and_metrics_on_its_ports(prop: Property) -> None:
    health_port, metrics_port = free_port(), free_port()
    worker = Process(
        ["worker", "--health-port", str(health_port), "--metrics-port", str(metrics_port)],
        no_shared_metrics_env(),
        health_url=f"http://127.0.0.1:{health_port}/healthz",
    )
    worker.start(timeout=120)
    try:
        health = httpx.get(f"http://127.0.0.1:{health_port}/healthz", timeout=5).json()
        assert health["ok"] and set(health["loops"]) == {"turns", "outbox", "escalations", "alerts"}
        assert httpx.get(f"http://127.0.0.1:{health_port}/metrics", timeout=5).status_code == 404  # health only
        assert scrape(f"http://127.0.0.1:{metrics_port}")["concierge_turn_seconds_count"] == 0.0
        store(prop, "What is the wifi password?", channel="simulator", phone=ANA)  # as the web process would
        wait_for_sent_reply()
        metrics = scrape(f"http://127.0.0.1:{metrics_port}")
        assert metrics["concierge_turn_seconds_count"] == 1.0
        assert metrics['concierge_messages_out_total{author="bot",channel="simulator"}'] == 1.0
        assert httpx.get(f"http://127.0.0.1:{metrics_port}/healthz", timeout=5).json()["ok"]
    finally:
        assert worker.stop() in (0, -15)


def test_every_command_configures_sentry_with_the_scrubber(monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)

    class Sink(BaseHTTPRequestHandler):  # a Sentry that accepts whatever it is sent (events of later tests too)
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    root = logging.getLogger()  # cli.main configures logging: restored after the test
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    sink = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    monkeypatch.setenv("SENTRY_DSN", f"http://public@127.0.0.1:{sink.server_address[1]}/1")
    try:
        assert cli.main(["db", "upgrade"]) == 0
        client = sentry_sdk.get_client()
        assert client.is_active()
        assert client.options["before_send"] is scrub_event
        assert client.options["send_default_pii"] is False
    finally:
        sentry_sdk.get_client().close()  # sends what is queued, to the sink
        sentry_sdk.init()  # no DSN: later tests run without Sentry
        # The sink keeps serving (a daemon thread) for whatever the closed client still sends in the background.


def test_a_stuck_loop_makes_the_worker_unhealthy(prop: Property, monkeypatch: object) -> None:
    import pytest

    from concierge.core.settings import get_settings
    from concierge.worker.endpoints import start_endpoints
    from concierge.worker.loops import Worker

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    monkeypatch.setenv("WORKER_STALL_SECONDS", "3")
    monkeypatch.setenv("WORKER_POLL_SECONDS", "5")  # an idle loop comes round every 5 s: not during the probe
    get_settings.cache_clear()
    worker = Worker(get_settings())
    port = free_port()
    (server,) = start_endpoints(host="127.0.0.1", health_port=port, metrics_port=None, health=worker.health)
    try:
        starting = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert starting.status_code == 503 and starting.json()["status"] == "starting"
        worker.start()
        deadline = time.monotonic() + 30
        while httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code != 200:
            assert time.monotonic() < deadline, "the worker never became healthy"
            time.sleep(0.1)
        worker._beats["outbox"] -= 60  # as if the sender had been stuck in one delivery for a minute
        stuck = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert stuck.status_code == 503
        assert stuck.json()["loops"]["outbox"]["alive"] is False and stuck.json()["loops"]["turns"]["alive"]
    finally:
        worker.stop(timeout=5)
        server.close()
