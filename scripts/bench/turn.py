"""Offline turn latency: the real turn graph on a scratch SQLite database with the demo pack.

    .venv/bin/python -m scripts.bench.turn [--turns N] [--warmup N] [--profile FILE] [--top N]
    .venv/bin/python -m scripts.bench.turn --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_x

Runs N guest messages (the multilingual scenario messages, cycled) through `TurnRunner.run_next()` and prints
p50/p95/p99 of the whole turn (wall clock and this process's CPU time: on a shared machine the CPU time is the
steadier figure), the CPU time of each phase (claim, graph, record), each node's wall time, and the SQL
statements per turn, with the transactions and pool checkouts per turn (`--database-url` on PostgreSQL: also the
CPU time of the database's server processes). The first turn (detector models loading, index build) is reported
apart as the cold turn;
`--warmup N` runs N more turns before measuring (each language's screening lexicon is compiled on its first use);
`--node-cpu` times the nodes in this process's CPU time instead of wall time (the nodes' clock is swapped).
With --profile, the measured turns run under cProfile and the stats are written to FILE (read them with
`python -m pstats FILE`); --top N also prints the N functions of the profile with the most cumulative time.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scripts.bench.round_trips import round_trips

ROOT = Path(__file__).resolve().parents[2]


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the sorted values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def cpu_timed(function: Callable[..., Any], into: list[float]) -> Callable[..., Any]:
    """`function`, appending the process CPU milliseconds of each call to `into`."""

    def run(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            into.append((time.process_time() - started) * 1000)

    return run


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=0, help="turns run before measuring, after the cold one")
    parser.add_argument("--profile", help="write cProfile stats of the measured turns to this file")
    parser.add_argument("--top", type=int, default=0, help="print the N functions with the most cumulative time")
    parser.add_argument("--node-cpu", action="store_true", help="time each node in CPU time, not wall time")
    parser.add_argument("--database-url", help="default: a scratch SQLite file; a PostgreSQL database must be empty")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="concierge-bench-") as tmp:
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.db"
        from alembic import command
        from concierge.conversation import service
        from concierge.core.db import alembic_config, session_scope
        from concierge.core.modelbase import utcnow
        from concierge.core.settings import get_settings
        from concierge.i18n.detect import warm_up
        from concierge.ops.evals import cases as eval_cases
        from concierge.ops.evals import runner as eval_runner
        from concierge.turn.runner import TurnRunner
        from knowledge import service as knowledge_service
        from knowledge.pack import load_pack_file

        command.upgrade(alembic_config(), "head")
        pack = eval_runner.pack_around_today(load_pack_file(eval_cases.DEFAULT_PACK).model_dump(mode="json"))
        with session_scope() as session:
            prop, _ = knowledge_service.import_pack(session, pack=pack, author="bench")
        messages = [m for case in eval_cases.load_cases(ROOT / "tests" / "evals" / "scenarios") for m in case.messages]
        started = time.perf_counter()
        warm_up()  # as the worker's turn thread does before its first turn
        setup_ms = (time.perf_counter() - started) * 1000
        from sqlalchemy import event

        from concierge.core.db import get_engine

        if args.node_cpu:
            import types

            from concierge.turn import nodes as turn_nodes

            setattr(turn_nodes, "time", types.SimpleNamespace(perf_counter=time.process_time))  # noqa: B010
        runner = TurnRunner(get_settings())
        # Phases, in this process's CPU time: claim (take a slot, lease a job), graph (run_turn), record (the rest of
        # `process`: recording, metrics). Wrapped on the instance: the runner's own code is what is measured.
        phases: dict[str, list[float]] = {"claim": [], "graph": [], "process": []}
        runner.claim = cpu_timed(runner.claim, phases["claim"])  # type: ignore[method-assign]
        runner.run_turn = cpu_timed(runner.run_turn, phases["graph"])  # type: ignore[method-assign]
        runner.process = cpu_timed(runner.process, phases["process"])  # type: ignore[method-assign]
        turns: list[float] = []
        nodes: dict[str, list[float]] = {}
        statements: list[int] = [0]
        event.listen(get_engine(), "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
        trips = round_trips(get_engine())
        per_turn: list[int] = []
        cpu: list[float] = []  # the process's CPU time per turn: what the turn costs, whatever else the cores run
        profiler = cProfile.Profile() if args.profile or args.top else None
        skip = 1 + args.warmup  # the cold turn and the warm-up turns are not measured
        for i in range(args.turns + skip):
            with session_scope() as session:
                service.receive(
                    session,
                    property_id=prop.id,
                    channel="sms",
                    guest_address=f"+1555{i % 50:07d}",
                    property_address=pack.property.phone_numbers[0],
                    body=messages[i % len(messages)],
                    now=utcnow(),
                )
            statements[0] = 0
            if i == skip:
                trips.start()
            if profiler is not None and i >= skip:
                profiler.enable()
            started, cpu_started = time.perf_counter(), time.process_time()
            runner.run_next()
            elapsed = (time.perf_counter() - started) * 1000
            cpu.append((time.process_time() - cpu_started) * 1000)
            if profiler is not None:
                profiler.disable()
            per_turn.append(statements[0])
            result = runner.last_result
            if i == 0:
                cold = elapsed
            if i < skip:
                continue
            turns.append(elapsed)
            for node in result.trace.nodes if result is not None else []:
                nodes.setdefault(node["node"], []).append(node["ms"])
    print(f"runner setup (detector models): {setup_ms:.0f} ms; cold turn (index build): {cold:.1f} ms")
    if profiler is not None and args.profile:
        profiler.dump_stats(args.profile)
    claim, graph, process = (values[skip:] for values in phases.values())
    record = [p - g for p, g in zip(process, graph, strict=True)]
    print(f"{len(turns)} measured turns, SQL statements per turn p50 {statistics.median(per_turn[skip:]):.0f}:")
    print(trips.report(len(turns)))
    rows = [
        ("turn (claim+graph+record)", turns),
        ("turn CPU time", cpu[skip:]),
        ("  claim CPU", claim),
        ("  graph CPU", graph),
        ("  record CPU", record),
        *nodes.items(),
    ]
    for name, values in rows:
        print(
            f"  {name:<26} p50 {statistics.median(values):6.1f}  p95 {percentile(values, 0.95):6.1f}"
            f"  p99 {percentile(values, 0.99):6.1f}  mean {statistics.fmean(values):6.1f} ms"
        )
    if profiler is not None and args.top:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
