"""Offline turn latency: the real turn graph on a scratch SQLite database with the demo pack.

    .venv/bin/python -m scripts.bench.turn [--turns N] [--profile FILE]

Runs N guest messages (the multilingual scenario messages, cycled) through `TurnRunner.run_next()` and prints
p50/p95/p99 of the whole turn (wall clock and this process's CPU time: on a shared machine the CPU time is the
steadier figure), of each node, and the SQL statements per turn. The first turn (detector models
loading, index build) is reported apart as the cold turn. With --profile, the warm turns run under cProfile and
the stats are written to FILE (read them with `python -m pstats FILE`).
"""

import argparse
import cProfile
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the sorted values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--profile", help="write cProfile stats of the warm turns to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="concierge-bench-") as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
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

        runner = TurnRunner(get_settings())
        turns: list[float] = []
        nodes: dict[str, list[float]] = {}
        statements: list[int] = [0]
        event.listen(get_engine(), "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
        per_turn: list[int] = []
        cpu: list[float] = []  # the process's CPU time per turn: what the turn costs, whatever else the cores run
        profiler = cProfile.Profile() if args.profile else None
        for i in range(args.turns + 1):
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
            if profiler is not None and i:
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
                continue
            turns.append(elapsed)
            for node in result.trace.nodes if result is not None else []:
                nodes.setdefault(node["node"], []).append(node["ms"])
    print(f"runner setup (detector models): {setup_ms:.0f} ms; cold turn (index build): {cold:.1f} ms")
    if profiler is not None:
        profiler.dump_stats(args.profile)
    print(f"{len(turns)} warm turns, SQL statements per turn p50 {statistics.median(per_turn[1:]):.0f}:")
    for name, values in (("turn (claim+graph+record)", turns), ("turn CPU time", cpu[1:]), *nodes.items()):
        print(
            f"  {name:<26} p50 {statistics.median(values):6.1f}  p95 {percentile(values, 0.95):6.1f}"
            f"  p99 {percentile(values, 0.99):6.1f}  mean {statistics.fmean(values):6.1f} ms"
        )


if __name__ == "__main__":
    main()
