"""Webhook benchmark: N signed webhooks sent concurrently to a real server that replies through a fake Twilio.

    .venv/bin/python -m scripts.bench.webhook --messages 200 --concurrency 50

Prints ack latency (p50/p99, time to the 200) and the time until every reply reached the fake Twilio.
Uses a fresh SQLite database in a temporary folder unless --database-url is given.
"""

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.e2e.server import running_server  # noqa: E402
from tests.factories import ACCOUNT_SID, AUTH_TOKEN, sign  # noqa: E402
from tests.fakes.twilio_api import FakeTwilio  # noqa: E402

QUESTIONS = ["wifi password?", "¿a qué hora es el check-in?", "where can I park?", "check out time", "hola"]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


async def send_all(base: str, total: int, concurrency: int) -> list[float]:
    """Post `total` signed webhooks, at most `concurrency` in flight; returns each ack latency in seconds."""
    url = f"{base}/twilio/messages"
    limit = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(client: httpx.AsyncClient, i: int) -> None:
        params = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": ACCOUNT_SID,
            "From": f"+3460{i:07d}",
            "To": "+15005550006",
            "Body": QUESTIONS[i % len(QUESTIONS)],
        }
        async with limit:
            started = time.perf_counter()
            response = await client.post(url, data=params, headers={"X-Twilio-Signature": sign(url, params)})
            latencies.append(time.perf_counter() - started)
        response.raise_for_status()

    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=concurrency)) as client:
        await asyncio.gather(*(one(client, i) for i in range(total)))
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as fake:
        db_url = args.database_url or f"sqlite:///{tmp}/bench.db"
        env = {**os.environ, "DATABASE_URL": db_url}
        for command in (["db", "upgrade"], ["import", "examples/casa-azul.yaml"]):
            subprocess.run(
                [sys.executable, "-m", "concierge.cli", *command],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        server_env = {
            "DATABASE_URL": db_url,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_API_BASE_URL": fake.base_url,
            "WORKER_IN_PROCESS": "true",
            "LOG_LEVEL": "WARNING",
        }
        with running_server(server_env) as base:
            print(f"sending {args.messages} webhooks, {args.concurrency} at a time, to {base}", file=sys.stderr)
            started = time.perf_counter()
            latencies = asyncio.run(send_all(base, args.messages, args.concurrency))
            acked = time.perf_counter() - started
            fake.wait_for(args.messages, timeout=600)
            replied = time.perf_counter() - started
        duplicates = len(fake.messages) - len({m["to"] for m in fake.messages})

    ms = [v * 1000 for v in latencies]
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"database: {'sqlite' if db_url.startswith('sqlite') else 'postgresql'}")
    print(f"messages: {args.messages}, concurrency: {args.concurrency}")
    print(
        f"ack latency ms: p50 {percentile(ms, 50):.1f}  p99 {percentile(ms, 99):.1f}  "
        f"max {max(ms):.1f}  mean {statistics.fmean(ms):.1f}"
    )
    print(f"all acknowledged after {acked:.2f} s ({args.messages / acked:.0f} webhooks/s)")
    print(f"all replies at the fake Twilio after {replied:.2f} s ({args.messages / replied:.0f} replies/s)")
    print(f"replies: {len(fake.messages)}, duplicates: {duplicates}")


if __name__ == "__main__":
    main()
