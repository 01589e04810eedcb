"""`concierge eval --compare A B`: metric deltas and per-scenario differences between two scorecards.

A and B are scorecard JSON files (`concierge eval --json`) or release ids, which are evaluated first.
"""

import json
from pathlib import Path
from typing import Any

from concierge.core.errors import InvalidInput


def load_scorecard(path: Path) -> dict[str, Any]:
    """A scorecard written by `concierge eval --json`; it must list its cases (written by this version)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInput([f"{path}: {exc}"]) from exc
    if not isinstance(data, dict) or "metrics" not in data or "cases" not in data:
        raise InvalidInput([f"{path}: not a scorecard with per-case results (write one with --json)"])
    return data


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """What changed from A to B: every metric's delta, and the cases that regressed, were fixed or changed."""
    metrics = {}
    for name in dict.fromkeys([*a["metrics"], *b["metrics"]]):
        before, after = a["metrics"].get(name), b["metrics"].get(name)
        delta = round(after - before, 4) if isinstance(before, int | float) and isinstance(after, int | float) else None
        metrics[name] = {"a": before, "b": after, "delta": delta}
    regressed, fixed, changed, only_a, only_b = [], [], [], [], []
    for case_id in sorted({*a["cases"], *b["cases"]}):
        left, right = a["cases"].get(case_id), b["cases"].get(case_id)
        if right is None:
            only_a.append(case_id)
        elif left is None:
            only_b.append(case_id)
        elif left["ok"] and not right["ok"]:
            regressed.append({"case": case_id, "problems": right["problems"]})
        elif right["ok"] and not left["ok"]:
            fixed.append({"case": case_id, "problems": left["problems"]})
        else:
            diffs = {
                k: (left.get(k), right.get(k)) for k in ("outcome", "topics", "language") if left.get(k) != right.get(k)
            }
            if diffs:
                changed.append({"case": case_id, "diffs": diffs})
    return {
        "a": a.get("release"),
        "b": b.get("release"),
        "metrics": metrics,
        "regressed": regressed,
        "fixed": fixed,
        "changed": changed,
        "only_in_a": only_a,
        "only_in_b": only_b,
    }


def render(diff: dict[str, Any], *, a_name: str, b_name: str) -> str:
    """The comparison as text for the terminal."""
    lines = [f"A = {a_name}", f"B = {b_name}", "", f"{'metric':<23} {'A':>8} {'B':>8} {'delta':>8}"]
    for name, row in diff["metrics"].items():
        cells = ["-" if row[k] is None else str(row[k]) for k in ("a", "b", "delta")]
        lines.append(f"{name:<23} {cells[0]:>8} {cells[1]:>8} {cells[2]:>8}")
    for title, key in (
        ("regressed (passed in A, fail in B)", "regressed"),
        ("fixed (failed in A, pass in B)", "fixed"),
    ):
        rows = diff[key]
        lines.append(f"\n{title}: {len(rows)}")
        lines += [f"  {r['case']}: {'; '.join(r['problems'])}" for r in rows]
    lines.append(f"\nchanged without changing the verdict: {len(diff['changed'])}")
    for row in diff["changed"]:
        lines.append("  " + row["case"] + ": " + "; ".join(f"{k} {v[0]} -> {v[1]}" for k, v in row["diffs"].items()))
    for key in ("only_in_a", "only_in_b"):
        if diff[key]:
            lines.append(f"\n{key.replace('_', ' ')}: " + ", ".join(diff[key]))
    return "\n".join(lines)
