"""Load benchmark: K guests each send M signed webhooks with think time, against the real server and a fake
Twilio, and the same traffic against a bare FastAPI form-parsing endpoint (the ceiling of this machine).

    .venv/bin/python -m scripts.bench.load --guests 200 --messages 5 --think 1.0
    .venv/bin/python -m scripts.bench.load --guests 200 --messages 5 --think 0      # saturation throughput

Prints ack latency p50/p95/p99, turn time p50/p99 with a per-node breakdown (from the turn traces), reply
latency (ack → reply at the fake Twilio), replies/s, errors, duplicates, lost, the server's peak RSS, and the
ratio of webhook throughput to the bare endpoint's. Each guest keeps one keep-alive connection and sends its
next message only after the previous one was acknowledged (and its think time, exponential with mean --think).
A fresh SQLite database in a temporary folder is used unless --database-url is given.
"""

import argparse
import asyncio
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.e2e.server import ACCOUNT_SID, AUTH_TOKEN, Process, free_port, serve_process, sign  # noqa: E402
from tests.fakes.twilio_api import FakeTwilio  # noqa: E402

PROPERTY_NUMBER = "+15005550006"  # examples/casa-azul.yaml
QUESTIONS = [
    "wifi password?",
    "¿a qué hora es el check-in?",
    "where can I park?",
    "check out time",
    "hola",
    "Wo kann ich parken?",
    "le code wifi svp",
    "is there a hairdryer?",
]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


@dataclass
class Run:
    acks: list[float] = field(default_factory=list)  # seconds
    acked_at: dict[str, list[float]] = field(default_factory=dict)  # guest → monotonic time of each 200
    errors: int = 0
    started: float = 0.0
    finished: float = 0.0


class Connection:
    """A minimal HTTP/1.1 keep-alive client: cheap enough that the load generator is not the bottleneck."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        head += "Content-Type: application/x-www-form-urlencoded\r\n"
        head += f"Content-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def guest(base: str, index: int, messages: int, think: float, run: Run) -> None:
    url = f"{base}/twilio/messages"
    phone = f"+3460{index:07d}"
    conn = Connection(base)
    run.acked_at[phone] = []
    await asyncio.sleep(random.uniform(0, think))  # spread the first messages like real arrivals
    for k in range(messages):
        params = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": ACCOUNT_SID,
            "From": phone,
            "To": PROPERTY_NUMBER,
            "Body": QUESTIONS[(index + k) % len(QUESTIONS)],
            "NumMedia": "0",
        }
        body = urlencode(params).encode()
        headers = {"X-Twilio-Signature": sign(url, params)}
        started = time.monotonic()
        while True:
            try:
                if await conn.post("/twilio/messages", body, headers) == 200:
                    break
            except (OSError, asyncio.IncompleteReadError):
                conn.close()
            run.errors += 1
            await asyncio.sleep(0.1)
        now = time.monotonic()
        run.acks.append(now - started)
        run.acked_at[phone].append(now)
        if think:
            await asyncio.sleep(random.expovariate(1 / think))
    conn.close()


async def drive(base: str, guests: int, messages: int, think: float) -> Run:
    run = Run(started=time.monotonic())
    await asyncio.gather(*(guest(base, i, messages, think, run) for i in range(guests)))
    run.finished = time.monotonic()
    return run


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bare_run(guests: int, messages: int, think: float) -> Run:
    port = free_port()
    bare = Process(
        ["-m", "uvicorn", "scripts.bench.bare:app", "--port", str(port), "--no-access-log"],
        {},
        health_url=None,
    )
    bare.proc = subprocess.Popen(
        [sys.executable, *bare.args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )  # type: ignore[assignment]
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                asyncio.run(Connection(base).post("/twilio/messages", b"MessageSid=x", {}))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        return asyncio.run(drive(base, guests, messages, think))
    finally:
        bare.stop()


def traces(db_url: str) -> list[dict[str, Any]]:
    os.environ["DATABASE_URL"] = db_url
    from sqlmodel import select

    from concierge.db import session_scope
    from concierge.models import Trace

    with session_scope(readonly=True) as session:
        return [t.data for t in session.exec(select(Trace))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guests", type=int, default=200, help="concurrent senders (K)")
    parser.add_argument("--messages", type=int, default=5, help="messages per guest (M)")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between messages, seconds")
    parser.add_argument("--database-url")
    parser.add_argument("--reply-timeout", type=float, default=300.0)
    args = parser.parse_args()
    total = args.guests * args.messages

    with tempfile.TemporaryDirectory() as tmp, FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as fake:
        db_url = args.database_url or f"sqlite:///{tmp}/load.db"
        env = {**os.environ, "DATABASE_URL": db_url}
        for command in (["db", "upgrade"], ["import", "examples/casa-azul.yaml"]):
            subprocess.run(
                [sys.executable, "-m", "concierge.cli", *command],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        server, base = serve_process(
            {
                "DATABASE_URL": db_url,
                "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                "TWILIO_API_BASE_URL": fake.base_url,
                "LOG_LEVEL": "WARNING",
            }
        )
        server.start()
        try:
            print(f"{args.guests} guests x {args.messages} messages, think {args.think}s, to {base}", file=sys.stderr)
            run = asyncio.run(drive(base, args.guests, args.messages, args.think))
            deadline = time.monotonic() + args.reply_timeout
            while len(fake.messages) < total and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1.0)  # a late duplicate would show up now
            assert server.proc is not None
            rss = peak_rss_mb(server.proc.pid)
        finally:
            server.stop()
        replies = fake.messages
        turn_traces = traces(db_url)

    print("bare endpoint: same traffic", file=sys.stderr)
    bare = bare_run(args.guests, args.messages, args.think)

    by_guest: dict[str, list[float]] = {}
    for reply in replies:
        by_guest.setdefault(reply["to"], []).append(reply["received_at"])
    duplicates = sum(max(0, len(v) - args.messages) for v in by_guest.values())
    lost = sum(max(0, args.messages - len(by_guest.get(g, []))) for g in run.acked_at)
    reply_latency = [
        (got - acked) * 1000
        for g, acks in run.acked_at.items()
        for acked, got in zip(acks, by_guest.get(g, []), strict=False)
    ]
    last_reply = max((r["received_at"] for r in replies), default=run.finished)
    turn_ms = [sum(n["ms"] for n in t["nodes"]) for t in turn_traces]
    nodes: dict[str, list[float]] = {}
    for t in turn_traces:
        for n in t["nodes"]:
            nodes.setdefault(n["node"], []).append(n["ms"])
    ms = [a * 1000 for a in run.acks]
    bare_ms = [a * 1000 for a in bare.acks]
    rate, bare_rate = total / (run.finished - run.started), total / (bare.finished - bare.started)

    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"database: {'sqlite' if db_url.startswith('sqlite') else 'postgresql'}, server: concierge serve")
    print(f"traffic: {args.guests} guests x {args.messages} messages = {total}, think {args.think}s (mean)")
    print(
        f"ack ms: p50 {percentile(ms, 50):.1f}  p95 {percentile(ms, 95):.1f}  p99 {percentile(ms, 99):.1f}  "
        f"max {max(ms):.1f}"
    )
    print(f"turn ms (graph): p50 {percentile(turn_ms, 50):.1f}  p99 {percentile(turn_ms, 99):.1f}  ({len(turn_ms)})")
    print(
        "  by node p50/p99: "
        + ", ".join(f"{k} {percentile(v, 50):.1f}/{percentile(v, 99):.1f}" for k, v in nodes.items())
    )
    print(
        f"reply latency ms (ack -> fake Twilio): p50 {percentile(reply_latency, 50):.0f}  "
        f"p99 {percentile(reply_latency, 99):.0f}"
    )
    print(f"webhooks/s: {rate:.0f}   replies/s: {len(replies) / (last_reply - run.started):.1f}")
    print(f"errors: {run.errors}  duplicates: {duplicates}  lost: {lost}  replies: {len(replies)}/{total}")
    print(f"server peak RSS: {rss:.0f} MB")
    print(
        f"bare endpoint: ack ms p50 {percentile(bare_ms, 50):.1f}  p99 {percentile(bare_ms, 99):.1f}  "
        f"webhooks/s {bare_rate:.0f}  errors {bare.errors}"
    )
    print(f"webhook throughput / bare endpoint: {100 * rate / bare_rate:.0f}%")


if __name__ == "__main__":
    main()
