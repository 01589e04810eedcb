"""Load benchmark: K guests each send M signed webhooks with think time, against the real server and a fake
Twilio, and the same traffic against a bare FastAPI form-parsing endpoint (the ceiling of this machine).

    .venv/bin/python -m scripts.bench.load --guests 200 --messages 5 --think 1.0
    .venv/bin/python -m scripts.bench.load --guests 200 --messages 5 --think 0      # saturation throughput
    .venv/bin/python -m scripts.bench.load --guests 25 --saturate                   # K doubles until ack p99 > 50 ms
    .venv/bin/python -m scripts.bench.load --guests 200 --history 1000000           # on a million finished jobs

Prints the load average, ack latency p50/p95/p99, the handler's own time (from /metrics), turn time p50/p99
(claim → recorded, and the graph alone with a per-node breakdown), reply latency (ack → reply at the fake Twilio),
replies/s, errors, duplicates, lost, the server's peak RSS and CPU per webhook, the ratio of webhook throughput to
the bare endpoint's, and a markdown row for docs/benchmarks.md; exits 1 when a message was lost or duplicated.
The server is warmed up (10 webhooks and their replies) before timing. Each guest keeps one keep-alive
connection and sends its next message only after the previous one was acknowledged (and its think time,
exponential with mean --think). The fake Twilio runs in a process of its own (`twilio_process.py`;
`--fake-in-process` for the old setting). A fresh SQLite database in a temporary folder is used unless --database-url is
given (a PostgreSQL database is emptied first).
"""

import argparse
import asyncio
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scripts.bench.round_trips import backend_pids, server_cpu_seconds  # noqa: E402
from scripts.bench.traffic import Connection, Run, drive, guest, percentile  # noqa: E402
from scripts.bench.twilio_process import TwilioProcess  # noqa: E402
from tests.e2e.server import Process, serve_process  # noqa: E402
from tests.factories import ACCOUNT_SID, AUTH_TOKEN, free_port  # noqa: E402


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process (and its waited-for children) used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The process's direct children (`serve`'s worker child on SQLite)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def handler_ack(base: str) -> str:
    """The server's own view of the ack (handler time, from /metrics): share of webhooks under each bound."""
    import httpx

    text = httpx.get(f"{base}/metrics", timeout=10).text
    buckets = {}
    for line in text.splitlines():
        if line.startswith("concierge_webhook_ack_seconds_bucket"):
            bound = line.split('le="')[1].split('"')[0]
            buckets[bound] = float(line.rsplit(" ", 1)[1])
    total = buckets.get("+Inf", 0.0) or 1.0
    return "  ".join(f"<{float(b) * 1000:g} ms {100 * n / total:.0f}%" for b, n in buckets.items() if b != "+Inf")


def cprofile_env(folder: str | None) -> dict[str, str]:
    """The environment that runs every thread of the server and its worker under cProfile (scripts/bench/cprofile)."""
    if not folder:
        return {}
    Path(folder).mkdir(parents=True, exist_ok=True)
    hook = str(ROOT / "scripts" / "bench" / "cprofile")
    return {"CPROFILE_DIR": str(Path(folder).resolve()), "PYTHONPATH": os.pathsep.join([hook, str(ROOT)])}


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


def job_timings(db_url: str, skip: int) -> tuple[list[float], list[float], dict[str, list[float]]]:
    """Turn times from the database, warm-up turns skipped: graph (sum of node times), claim → recorded, nodes."""
    os.environ["DATABASE_URL"] = db_url
    from sqlmodel import col, select

    from concierge.conversation.models import Job, Trace
    from concierge.core.db import engine_for, session_scope
    from concierge.core.settings import get_settings

    lease = get_settings().job_lease_seconds
    with session_scope(readonly=True) as session:
        rows = session.exec(select(Trace, Job).where(Trace.job_id == Job.id).order_by(col(Trace.id))).all()[skip:]
    engine_for(db_url).dispose()
    graph, whole, nodes = [], [], {}
    for trace, job in rows:
        graph.append(sum(n["ms"] for n in trace.data["nodes"]))
        if job.lease_until and job.finished_at:  # claimed at lease_until - lease; finished when recorded
            whole.append((job.finished_at - (job.lease_until - timedelta(seconds=lease))).total_seconds() * 1000)
        for n in trace.data["nodes"]:
            nodes.setdefault(n["node"], []).append(n["ms"])
    return graph, whole, nodes


def prepare(db_url: str, history: int = 0) -> None:
    """Migrate the database and import the demo pack (a PostgreSQL database is emptied first); with `history`,
    that many finished jobs, delivered replies and sent notifications are written first (scripts/bench/queue.py)."""
    env = {**os.environ, "DATABASE_URL": db_url}
    if not db_url.startswith("sqlite"):
        from sqlalchemy import create_engine, text

        engine = create_engine(db_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    for command in (["db", "upgrade"], ["import", "examples/casa-azul.yaml"]):
        subprocess.run(
            [sys.executable, "-m", "concierge.cli", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    if history:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        from scripts.bench.queue import fill

        engine = create_engine(db_url)
        with engine.begin() as conn:
            property_id = conn.execute(text("SELECT min(id) FROM property")).scalar_one()
            fill(conn, make_url(db_url).get_backend_name(), property_id=property_id, finished=history)
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
        engine.dispose()


@dataclass
class Result:
    """The figures of one run against the real server and the bare endpoint."""

    guests: int
    messages: int
    think: float
    db: str
    load_before: float
    load_after: float
    ack_ms: list[float]
    bare_ms: list[float]
    rate: float
    bare_rate: float
    errors: int
    bare_errors: int
    duplicates: int
    lost: int
    replies: int
    replies_per_s: float
    reply_latency_ms: list[float]
    graph_ms: list[float]
    turn_ms: list[float]
    nodes: dict[str, list[float]]
    rss_mb: float
    cpu_ms_per_webhook: float
    cpu_ms_per_message: dict[str, float]
    handler: str

    @property
    def total(self) -> int:
        return self.guests * self.messages

    def report(self) -> str:
        """Every figure, one per line."""
        p = percentile
        ms, bare, turn, graph = self.ack_ms, self.bare_ms, self.turn_ms, self.graph_ms
        lines = [
            f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average {self.load_before:.2f} -> {self.load_after:.2f} (1 min, before -> after)",
            f"database: {self.db}, server: concierge serve",
            f"traffic: {self.guests} guests x {self.messages} messages = {self.total}, think {self.think}s (mean)",
            f"ack ms: p50 {p(ms, 50):.1f}  p95 {p(ms, 95):.1f}  p99 {p(ms, 99):.1f}  max {max(ms):.1f}",
            f"handler time (server side, store + commit): {self.handler}",
            f"turn ms (claim -> recorded): p50 {p(turn, 50):.1f}  p99 {p(turn, 99):.1f}  ({len(turn)} turns)",
            f"turn ms (graph only): p50 {p(graph, 50):.1f}  p99 {p(graph, 99):.1f}",
            "  by node p50/p99: " + ", ".join(f"{k} {p(v, 50):.1f}/{p(v, 99):.1f}" for k, v in self.nodes.items()),
            f"reply latency ms (ack -> fake Twilio): p50 {p(self.reply_latency_ms, 50):.0f}  "
            f"p99 {p(self.reply_latency_ms, 99):.0f}",
            f"webhooks/s: {self.rate:.0f}   replies/s: {self.replies_per_s:.1f}",
            f"errors: {self.errors}  duplicates: {self.duplicates}  lost: {self.lost}  "
            f"replies: {self.replies}/{self.total}",
            f"server peak RSS: {self.rss_mb:.0f} MB   server CPU: {self.cpu_ms_per_webhook:.1f} ms per webhook",
            "CPU per message, first webhook to last reply: "
            + ", ".join(f"{name} {ms:.2f} ms" for name, ms in self.cpu_ms_per_message.items()),
            f"bare endpoint: ack ms p50 {p(bare, 50):.1f}  p99 {p(bare, 99):.1f}  webhooks/s {self.bare_rate:.0f}  "
            f"errors {self.bare_errors}",
            f"webhook throughput / bare endpoint: {100 * self.rate / self.bare_rate:.0f}%",
        ]
        return "\n".join(lines)

    def row(self) -> str:
        """A row for the table in docs/benchmarks.md."""
        p = percentile
        ms, turn = self.ack_ms, self.turn_ms
        return (
            f"| {datetime.now(UTC).date()} | {self.load_before:.1f} → {self.load_after:.1f} | {self.db} "
            f"| {self.guests} × {self.messages}, {self.think:g} s "
            f"| {p(ms, 50):,.0f} / {p(ms, 95):,.0f} / {p(ms, 99):,.0f} ms "
            f"| {p(turn, 50):,.0f} / {p(turn, 99):,.0f} ms "
            f"| {p(self.reply_latency_ms, 50) / 1000:.1f} / {p(self.reply_latency_ms, 99) / 1000:.1f} s "
            f"| {self.rate:.0f} ({self.bare_rate:.0f}) | {100 * self.rate / self.bare_rate:.0f}% "
            f"| {self.replies_per_s:.1f} | {self.errors} / {self.duplicates} / {self.lost} | {self.rss_mb:.0f} MB |"
        )


WARMUP = 10  # sequential webhooks from one extra guest before the run: imports, caches, the first turn


async def warm_up(base: str, fake: TwilioProcess, timeout: float) -> None:
    """Bring the server to its steady state (lazy imports, statement caches, retrieval index) before timing."""
    run = Run()
    await guest(base, -1, WARMUP, 0.0, run, prefix="+3470")
    deadline = time.monotonic() + timeout
    while fake.count() < WARMUP and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


def measure(args: argparse.Namespace, guests: int, db_url: str) -> Result:
    """One run: a fresh database, the server and a fake Twilio, the traffic, then the bare endpoint."""
    prepare(db_url, args.history)
    total = guests * args.messages
    with TwilioProcess(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, in_process=args.fake_in_process) as fake:
        server, base = serve_process(
            {
                "DATABASE_URL": db_url,
                "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                "TWILIO_API_BASE_URL": fake.base_url,
                "LOG_LEVEL": "WARNING",
                **cprofile_env(args.cprofile),
            }
        )
        workers = [Process(["worker"], {**server.env, "LOG_LEVEL": "WARNING"}) for _ in range(args.workers)]
        server.start(timeout=240 if args.cprofile else 60)  # imports under cProfile take minutes on a busy machine
        for worker in workers:
            worker.start()
        assert server.proc is not None
        spy = None
        try:
            asyncio.run(warm_up(base, fake, min(120.0, args.reply_timeout)))
            if args.profile:  # py-spy (pip install py-spy) samples the server, all threads, for the whole run
                py_spy = shutil.which("py-spy", path=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
                spy = subprocess.Popen(
                    [
                        py_spy or "py-spy",
                        "record",
                        "--pid",
                        str(server.proc.pid),
                        "--format",
                        "raw",
                        "--threads",
                        "--subprocesses",
                        "--nonblocking",
                        "-o",
                        args.profile,
                        "--rate",
                        "100",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                time.sleep(1.0)
            load_before = os.getloadavg()[0]
            processes = {"web": [server.proc.pid], "worker": children(server.proc.pid)}
            processes["worker"] += [w.proc.pid for w in workers if w.proc is not None]
            if not db_url.startswith("sqlite"):  # PostgreSQL on this machine: its server processes for our database
                processes["database"] = sorted(backend_pids(db_url))
            cpu_at_start = {name: server_cpu_seconds(set(pids)) for name, pids in processes.items()}
            cpu_before = cpu_seconds(server.proc.pid)
            print(f"{guests} guests x {args.messages} messages, think {args.think}s, to {base}", file=sys.stderr)
            run = asyncio.run(drive(base, guests, args.messages, args.think))
            cpu = cpu_seconds(server.proc.pid) - cpu_before
            load_after = os.getloadavg()[0]
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait(timeout=30)
            deadline = time.monotonic() + args.reply_timeout
            while fake.count() < total + WARMUP and time.monotonic() < deadline:
                time.sleep(0.02)
            if "database" in processes:  # connections opened since count from their start; closed ones are lost
                processes["database"] += sorted(backend_pids(db_url) - set(processes["database"]))
            cpu_ms = {  # from the first webhook to the last reply, per message
                name: 1000 * (server_cpu_seconds(set(pids)) - cpu_at_start[name]) / total
                for name, pids in processes.items()
            }
            time.sleep(1.0)  # a late duplicate would show up now
            rss = peak_rss_mb(server.proc.pid)
            handler = handler_ack(base)
        finally:
            for worker in workers:
                worker.stop()
            server.stop(timeout=120 if args.cprofile else 15)  # writing the profiles takes a while
        replies = [r for r in fake.messages if r["to"] in run.acked_at]
    graph, whole, nodes = job_timings(db_url, skip=WARMUP)
    print("bare endpoint: same traffic", file=sys.stderr)
    bare = bare_run(guests, args.messages, args.think)

    by_guest: dict[str, list[float]] = {}
    for reply in replies:
        by_guest.setdefault(reply["to"], []).append(reply["received_at"])
    last_reply = max((r["received_at"] for r in replies), default=run.finished)
    return Result(
        guests=guests,
        messages=args.messages,
        think=args.think,
        db="SQLite" if db_url.startswith("sqlite") else f"PostgreSQL, {args.workers} worker(s)",
        load_before=load_before,
        load_after=load_after,
        ack_ms=[a * 1000 for a in run.acks],
        bare_ms=[a * 1000 for a in bare.acks],
        rate=total / (run.finished - run.started),
        bare_rate=total / (bare.finished - bare.started),
        errors=run.errors,
        bare_errors=bare.errors,
        duplicates=sum(max(0, len(v) - args.messages) for v in by_guest.values()),
        lost=sum(max(0, args.messages - len(by_guest.get(g, []))) for g in run.acked_at),
        replies=len(replies),
        replies_per_s=len(replies) / max(1e-9, last_reply - run.started),
        reply_latency_ms=[
            (got - acked) * 1000
            for g, acks in run.acked_at.items()
            for acked, got in zip(acks, by_guest.get(g, []), strict=False)
        ],
        graph_ms=graph,
        turn_ms=whole,
        nodes=nodes,
        rss_mb=rss,
        cpu_ms_per_webhook=1000 * cpu / total,
        cpu_ms_per_message=cpu_ms,
        handler=handler,
    )


HEADER = (
    "| date | load avg | DB | K × M, think | ack p50 / p95 / p99 | turn p50 / p99 | reply latency p50 / p99 "
    "| webhooks/s (bare) | ratio | replies/s | errors / dup / lost | peak RSS |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def main() -> int:
    """Run the benchmark (or the saturation series); exit 1 when a message was lost or answered twice."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guests", type=int, default=200, help="concurrent senders (K)")
    parser.add_argument("--messages", type=int, default=5, help="messages per guest (M)")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between messages, seconds")
    parser.add_argument("--database-url", help="default: a fresh SQLite file; a PostgreSQL database is EMPTIED")
    parser.add_argument(
        "--workers", type=int, help="`concierge worker` processes (default: 2 on PostgreSQL, 0 on SQLite)"
    )
    parser.add_argument("--reply-timeout", type=float, default=300.0)
    parser.add_argument("--history", type=int, default=0, help="finished jobs (and replies) already in the tables")
    parser.add_argument("--saturate", action="store_true", help="double K from --guests until ack p99 > --target")
    parser.add_argument("--target", type=float, default=50.0, help="ack p99 target in ms (--saturate)")
    parser.add_argument("--max-guests", type=int, default=1600, help="largest K tried by --saturate")
    parser.add_argument(
        "--cprofile", help="folder: every thread of the server and its worker under cProfile, one .prof per process"
    )
    parser.add_argument(
        "--fake-in-process",
        action="store_true",
        help="run the fake Twilio in this process, as before 2026-12-03 (its replies then delay the measured acks)",
    )
    parser.add_argument("--profile", help="record the server with py-spy while the webhooks arrive (raw stacks)")
    args = parser.parse_args()
    if args.workers is None:  # SQLite: `serve` runs its own worker; PostgreSQL: separate worker processes
        args.workers = 2 if args.database_url and not args.database_url.startswith("sqlite") else 0
    results: list[Result] = []
    guests = args.guests
    with tempfile.TemporaryDirectory() as tmp:
        while True:
            db_url = args.database_url or f"sqlite:///{tmp}/load-{guests}.db"
            result = measure(args, guests, db_url)
            results.append(result)
            print(result.report(), flush=True)
            print(flush=True)
            if not args.saturate or percentile(result.ack_ms, 99) > args.target or guests * 2 > args.max_guests:
                break
            guests *= 2
    print(HEADER)
    for result in results:
        print(result.row())
    if args.saturate:
        met = [r.guests for r in results if percentile(r.ack_ms, 99) <= args.target]
        print(f"\nlargest K with ack p99 <= {args.target:g} ms: {max(met) if met else 'none'}")
    failed = any(r.lost or r.duplicates for r in results)
    if failed:
        print("FAILED: messages lost or answered twice", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
