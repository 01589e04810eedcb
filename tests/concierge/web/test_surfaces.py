"""Headers and surfaces: security headers on every page, no inline script anywhere, API docs off by default,
/metrics for loopback or its token only, and the console's live stream ending when its session is signed out."""

import re
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from concierge.app import create_app
from concierge.core.settings import get_settings
from concierge.web.rendering import WEB_DIR
from knowledge.models import Property
from tests.e2e.server import running_server
from tests.factories import LOOPBACK, PASSWORD, add_user, csrf_of, server_env, sign_in
from tests.fakes.twilio_api import FakeTwilio

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        yield c


def assert_secured(response: httpx.Response) -> None:
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, csp
    assert response.headers.get("x-frame-options") == "DENY"
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert response.headers.get("referrer-policy") == "same-origin"


def test_headers_on_every_page(client: TestClient, prop: Property) -> None:
    anonymous = ["/login", "/healthz", "/readyz", "/static/app.css", "/static/simulator.js", "/nowhere"]
    for path in anonymous:
        assert_secured(client.get(path))
    assert_secured(client.post("/twilio/messages", content=b"x" * 70_000))  # a refusal too (413)
    add_user("admin@example.com", role="admin")
    sign_in(client, "admin@example.com")
    signed_in = ["/admin", "/admin/p/casa-test", "/admin/p/casa-test/reservations", "/console", "/simulator"]
    for path in signed_in:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_secured(response)
        assert not INLINE_SCRIPT.search(response.text) and not INLINE_HANDLER.search(response.text), path


def test_no_template_has_an_inline_script_or_handler() -> None:
    templates = sorted((WEB_DIR / "templates").rglob("*.html"))
    assert templates
    for template in templates:
        text = template.read_text(encoding="utf-8")
        assert not INLINE_SCRIPT.search(text), f"{template.name}: inline <script>; move it to /static"
        assert not INLINE_HANDLER.search(text), f"{template.name}: inline on…= handler; use addEventListener"


def test_api_docs_are_off_unless_asked_for(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert client.get(path).status_code == 404
    monkeypatch.setenv("API_DOCS", "true")
    get_settings.cache_clear()
    with TestClient(create_app()) as docs:
        assert docs.get("/openapi.json").status_code == 200
        assert docs.get("/docs").status_code == 200


def test_metrics_answer_loopback_or_the_token_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    monkeypatch.setenv("METRICS_TOKEN", "s3cret-scrape-token")
    get_settings.cache_clear()
    app = create_app()
    with TestClient(app, client=("203.0.113.5", 1)) as outsider, TestClient(app, client=LOOPBACK) as local:
        assert outsider.get("/metrics").status_code == 404
        assert outsider.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
        scraped = outsider.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"})
        assert scraped.status_code == 200 and "concierge_messages_in_total" in scraped.text
        assert local.get("/metrics").status_code == 200


def test_the_console_stream_ends_when_the_session_signs_out(database_url: str, prop: Property) -> None:
    add_user("staff@example.com", role="staff")
    with FakeTwilio() as fake, running_server(server_env(database_url, fake.base_url, LOG_LEVEL="WARNING")) as base:
        watcher, other = httpx.Client(base_url=base), httpx.Client(base_url=base)
        for browser in (watcher, other):
            token = csrf_of(browser.get("/login").text)
            data = {"email": "staff@example.com", "password": PASSWORD, "csrf_token": token, "next": "/console"}
            assert browser.post("/login", data=data).status_code == 303
        page = other.get("/console")
        ended = threading.Event()
        lines: list[str] = []

        def watch() -> None:
            with watcher.stream("GET", "/console/events", timeout=30) as stream:
                for line in stream.iter_lines():
                    lines.append(line)
            ended.set()

        threading.Thread(target=watch, daemon=True).start()
        time.sleep(2)
        assert not ended.is_set()  # the stream is live while signed in
        other.post("/logout", data={"csrf_token": csrf_of(page.text)})  # ends every session of the user
        assert ended.wait(10), lines
        assert "event: signed-out" in lines
