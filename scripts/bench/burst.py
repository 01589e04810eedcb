"""Burst benchmark: K guests write at the same moment while a model answers each call after a fixed delay.

    .venv/bin/python -m scripts.bench.burst --guests 40 --model-delay 1.5
    .venv/bin/python -m scripts.bench.burst --guests 200 --model-delay 1.5 --concurrency 64
    .venv/bin/python -m scripts.bench.burst --guests 40 --model-delay 1.5 --database-url postgresql+psycopg://…

A real `concierge serve` (SQLite; on PostgreSQL plus `--workers` `concierge worker` processes) with every turn
routed to a local OpenAI-compatible server (the eval's fact-seeking fake, answering after `--model-delay` seconds
and counting the calls in flight), replies delivered to a fake Twilio. Each guest sends one signed webhook, all at
once; prints reply latency (ack → reply at the fake Twilio) median / p90 / last, the most model calls in flight at
once, and lost / duplicated replies; exits 1 when a reply was lost or duplicated.
"""

import argparse
import asyncio
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from concierge.ops.evals.fake_model import MODEL, FactSeekingModel  # noqa: E402
from scripts.bench.load import prepare  # noqa: E402
from scripts.bench.traffic import Run, drive, guest, percentile  # noqa: E402
from tests.e2e.server import Process, serve_process  # noqa: E402
from tests.factories import ACCOUNT_SID, AUTH_TOKEN  # noqa: E402
from tests.fakes.twilio_api import FakeTwilio  # noqa: E402


class SlowModel(FactSeekingModel):
    """The fact-seeking fake, answering every call after `delay` seconds; counts the calls in flight."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay
        self.in_flight = self.most_in_flight = self.calls = 0
        self._count = threading.Lock()

    def completion(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._count:
            self.calls += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(self.delay)
            return super().completion(body)
        finally:
            with self._count:
                self.in_flight -= 1


def wait_for(fake: FakeTwilio, numbers: set[str], timeout: float) -> None:
    """Until each of these numbers got a message (staff alerts to other numbers do not count)."""
    deadline = time.monotonic() + timeout
    while numbers - {m["to"] for m in fake.messages} and time.monotonic() < deadline:
        time.sleep(0.05)


def run(args: argparse.Namespace, db_url: str) -> int:
    prepare(db_url)
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as fake, SlowModel(args.model_delay) as model:
        env = {
            "DATABASE_URL": db_url,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_API_BASE_URL": fake.base_url,
            "LLM_PROVIDERS": f"openai:{MODEL},offline",
            "OPENAI_BASE_URL": model.base_url,
            "OPENAI_API_KEY": "bench",
            "LLM_OFFLINE_FIRST": "false",  # every turn calls the model
            "WORKER_CONCURRENCY": str(args.concurrency),
            "LOG_LEVEL": "WARNING",
        }
        server, base = serve_process(env)
        workers = [Process(["worker"], {**server.env}) for _ in range(args.workers)]
        server.start()
        for worker in workers:
            worker.start()
        try:
            warm_up = Run()
            asyncio.run(guest(base, -1, 2, 0.0, warm_up, prefix="+3470"))  # not timed
            wait_for(fake, set(warm_up.acked_at), args.reply_timeout)
            warm, model.most_in_flight = len(fake.messages), 0
            print(f"{args.guests} guests at once, model {args.model_delay:g} s per call", file=sys.stderr)
            burst = asyncio.run(drive(base, args.guests, 1, 0.0))
            wait_for(fake, set(burst.acked_at), args.reply_timeout)
            time.sleep(1.0)  # a late duplicate would show up now
        finally:
            for worker in workers:
                worker.stop()
            server.stop()
        replies: dict[str, list[float]] = {}
        bodies: dict[str, list[str]] = {}
        for reply in fake.messages[warm:]:
            replies.setdefault(reply["to"], []).append(reply["received_at"])
            bodies.setdefault(reply["to"], []).append(reply["body"])
    replies = {number: times for number, times in replies.items() if number in burst.acked_at}  # not staff alerts
    for number in replies:
        if len(bodies[number]) > 1:  # a second message to one guest: show what it was
            print("a guest got twice: " + " | ".join(body[:60] for body in bodies[number]), file=sys.stderr)
    latencies = [replies[g][0] - acks[0] for g, acks in burst.acked_at.items() if replies.get(g)]
    lost = sum(1 for g in burst.acked_at if not replies.get(g))
    duplicated = sum(len(v) - 1 for v in replies.values())
    db = "SQLite" if db_url.startswith("sqlite") else f"PostgreSQL, {args.workers} worker(s)"
    print(
        f"{db}, WORKER_CONCURRENCY={args.concurrency}: reply latency s: median {percentile(latencies, 50):.1f}  "
        f"p90 {percentile(latencies, 90):.1f}  last {max(latencies, default=0):.1f}  "
        f"({len(latencies)} replies)\nmodel calls in flight at most: {model.most_in_flight}  "
        f"calls: {model.calls}\nerrors: {burst.errors}  lost: {lost}  duplicated: {duplicated}"
    )
    return 1 if lost or duplicated else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guests", type=int, default=40)
    parser.add_argument("--model-delay", type=float, default=1.5, help="seconds the model takes per call")
    parser.add_argument("--concurrency", type=int, default=16, help="WORKER_CONCURRENCY")
    parser.add_argument("--database-url", help="default: a fresh SQLite file; a PostgreSQL database is EMPTIED")
    parser.add_argument("--workers", type=int, help="`concierge worker` processes (default: 2 on PostgreSQL)")
    parser.add_argument("--reply-timeout", type=float, default=300.0)
    args = parser.parse_args()
    if args.workers is None:
        args.workers = 2 if args.database_url and not args.database_url.startswith("sqlite") else 0
    with tempfile.TemporaryDirectory() as tmp:
        return run(args, args.database_url or f"sqlite:///{tmp}/burst.db")


if __name__ == "__main__":
    sys.exit(main())
