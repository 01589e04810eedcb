"""Bounded request bodies: a huge body, chunked or declared, is refused at the limit, before it is read whole."""

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.e2e.server import Process, serve_process
from tests.factories import ACCOUNT_SID, AUTH_TOKEN, server_env
from tests.fakes.twilio_api import FakeTwilio

MB = 1024 * 1024


@pytest.fixture(scope="module")
def served(fake_twilio: FakeTwilio, database_url: str) -> Iterator[tuple[Process, str]]:
    process, base = serve_process(server_env(database_url, fake_twilio.base_url, LOG_LEVEL="WARNING"))
    process.start()
    try:
        yield process, base
    finally:
        process.stop()


@pytest.fixture(scope="module")
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as fake:
        yield fake


def _peak_rss(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def _send_chunked(base: str, path: str, total: int) -> tuple[bytes, int]:
    """POST `total` bytes as a chunked form body on a raw socket; stops when the server answers or hangs up.

    Returns the response's first bytes and how many body bytes were sent."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(
        (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        ).encode()
    )
    chunk = b"Body=" + b"A" * (64 * 1024 - 5)
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    sock.setblocking(False)
    try:
        while sent < total:
            try:
                answer = sock.recv(4096)
                if answer:
                    return answer, sent
            except BlockingIOError:
                pass
            try:
                sock.settimeout(5)
                sock.sendall(framed)
                sock.setblocking(False)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break
            sent += len(chunk)
        sock.settimeout(30)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(b"0\r\n\r\n")
        return sock.recv(4096), sent
    finally:
        sock.close()


def test_huge_chunked_webhook_is_refused_at_the_limit_without_growing_the_server(
    served: tuple[Process, str],
) -> None:
    process, base = served
    assert process.proc is not None
    before = _peak_rss(process.proc.pid)
    started = time.monotonic()
    answer, sent = _send_chunked(base, "/twilio/messages", 200 * MB)
    assert _peak_rss(process.proc.pid) - before < 50 * MB
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 20 * MB  # answered at the limit, not after the upload
    assert time.monotonic() - started < 30


@pytest.mark.parametrize("path", ["/login", "/simulator/messages", "/twilio/status"])
def test_every_form_endpoint_refuses_a_chunked_body_past_the_limit(served: tuple[Process, str], path: str) -> None:
    _process, base = served
    answer, sent = _send_chunked(base, path, 20 * MB)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 5 * MB


def test_a_declared_length_over_the_limit_is_refused_before_the_body(served: tuple[Process, str]) -> None:
    _process, base = served
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            f"POST /twilio/messages HTTP/1.1\r\nHost: {host}\r\nContent-Length: {300 * MB}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\n".encode()
        )
        assert sock.recv(4096).startswith(b"HTTP/1.1 413")  # no byte of the body was sent


def test_a_form_within_the_limit_still_reaches_the_route(client: TestClient) -> None:
    response = client.post("/login", data={"email": "a@b.c", "password": "x" * 60_000, "csrf_token": "nope"})
    assert response.status_code == 403  # read whole and checked: the CSRF token is wrong, not the size
    assert client.post("/login", content=b"x" * (64 * 1024 + 1)).status_code == 413
