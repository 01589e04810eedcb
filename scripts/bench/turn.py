"""Offline turn latency: the real turn graph on a scratch SQLite database with the demo pack.

    .venv/bin/python -m scripts.bench.turn [--turns N]

Runs N guest messages (the multilingual scenario messages, cycled) through `TurnRunner.run_next()` and prints
p50/p95/p99 of the whole turn and of the retrieve and detect_language nodes, in milliseconds. The first turn
(detector models loading, index build) is reported apart as the cold turn.
"""

import argparse
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="concierge-bench-") as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
        from alembic import command
        from concierge.conversation import service
        from concierge.core.db import session_scope
        from concierge.core.modelbase import utcnow
        from concierge.core.settings import get_settings
        from concierge.i18n.detect import warm_up
        from concierge.ops import evals
        from concierge.ops.readiness import alembic_config
        from concierge.turn.runner import TurnRunner
        from knowledge import service as knowledge_service
        from knowledge.models import Property
        from knowledge.pack import load_pack_file

        command.upgrade(alembic_config(), "head")
        pack = evals.runner.pack_around_today(load_pack_file(evals.DEFAULT_PACK).model_dump(mode="json"))
        with session_scope() as session:
            prop, _ = knowledge_service.import_pack(session, pack=pack, author="bench")
        messages = [m for case in evals.load_cases(ROOT / "tests" / "evals" / "scenarios") for m in case.messages]
        started = time.perf_counter()
        warm_up()  # as the worker's turn thread does before its first turn
        setup_ms = (time.perf_counter() - started) * 1000
        runner = TurnRunner(get_settings())
        turns: list[float] = []
        nodes: dict[str, list[float]] = {"retrieve": [], "detect_language": []}
        for i in range(args.turns + 1):
            with session_scope() as session:
                service.receive(
                    session,
                    prop=session.get_one(Property, prop.id),
                    channel="sms",
                    guest_address=f"+1555{i % 50:07d}",
                    property_address=pack.property.phone_numbers[0],
                    body=messages[i % len(messages)],
                    now=utcnow(),
                )
            started = time.perf_counter()
            runner.run_next()
            elapsed = (time.perf_counter() - started) * 1000
            result = runner.last_result or {}
            if i == 0:
                cold = elapsed
                continue
            turns.append(elapsed)
            for node in result.get("nodes", []):
                if node["node"] in nodes:
                    nodes[node["node"]].append(node["ms"])
    print(f"runner setup (detector models): {setup_ms:.0f} ms; cold turn (index build): {cold:.1f} ms")
    print(f"{len(turns)} warm turns:")
    for name, values in (("turn (claim+graph+record)", turns), *nodes.items()):
        print(
            f"  {name:<26} p50 {statistics.median(values):6.1f}  p95 {percentile(values, 0.95):6.1f}"
            f"  p99 {percentile(values, 0.99):6.1f}  mean {statistics.fmean(values):6.1f} ms"
        )


if __name__ == "__main__":
    main()
