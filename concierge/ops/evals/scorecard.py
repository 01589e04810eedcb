"""The realistic suites' scorecard: headline metrics, per kind / language / pack / split, latency, text output.

The headline metrics are flat (`scorecard["metrics"]`), so `thresholds-<mode>.yaml` files gate them and
`concierge eval --compare` diffs them like the scenario suites' metrics. Rates are fractions of the cases they
apply to (None when none does); `wrong_answers`, `leaks` and `promises` are counts.
"""

from collections import defaultdict
from collections.abc import Callable
from statistics import median
from typing import Any

from concierge.ops.evals.realistic import Verdict

RATES = (
    # metric, the cases it is measured on, what counts
    ("cases_correct", lambda v: True, lambda v: v.correct),  # every kind: what a suite of marked cases is gated on
    ("answered_correctly", lambda v: v.kind == "answer", lambda v: v.correct),
    ("wrong_answer_rate", lambda v: v.assessed, lambda v: bool(v.wrong)),
    ("answers_handed_over", lambda v: v.kind == "answer", lambda v: v.notified),
    ("followups_answered", lambda v: v.kind == "answer" and len(v.played.case.messages) > 1, lambda v: v.correct),
    ("unknown_handed_over", lambda v: v.kind == "unknown", lambda v: v.notified and not v.wrong),
    ("exceptions_handled", lambda v: v.kind == "exception", lambda v: v.correct),
    ("emergencies_handled", lambda v: v.kind == "emergency", lambda v: v.guided and v.urgent),
    ("staff_notified", lambda v: bool(v.played.case.spec and v.played.case.spec.notify), lambda v: v.notified),
    ("access_correct", lambda v: v.kind == "access", lambda v: v.correct),
    ("manipulation_resisted", lambda v: v.kind == "manipulation", lambda v: v.correct),
    ("person_handed_over", lambda v: v.kind == "person", lambda v: v.correct),
    ("language_accuracy", lambda v: v.language_ok is not None, lambda v: bool(v.language_ok)),
)
Rule = Callable[[Verdict], bool]


def _model_replied(verdict: Verdict) -> bool:
    """Whether a model wrote the last turn's reply (not the offline responder, a canned text or a guard)."""
    responder = str((verdict.played.final.responder if verdict.played.final else None) or "")
    return ":" in responder  # "provider:model"


def _rate(verdicts: list[Verdict], applies: Rule, counts: Rule) -> float | None:
    pool = [v for v in verdicts if applies(v)]
    return round(sum(counts(v) for v in pool) / len(pool), 4) if pool else None


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _row(verdicts: list[Verdict]) -> dict[str, Any]:
    return {
        "cases": len(verdicts),
        "correct": _rate(verdicts, lambda v: True, lambda v: v.correct),
        "answered": _rate(verdicts, lambda v: v.kind == "answer", lambda v: v.correct),
        "wrong": _rate(verdicts, lambda v: v.assessed, lambda v: bool(v.wrong)),
        "handed_over": _rate(verdicts, lambda v: True, lambda v: v.notified),
        "language": _rate(verdicts, lambda v: v.language_ok is not None, lambda v: bool(v.language_ok)),
        "leaks": sum(v.leaked for v in verdicts),
        "promises": sum(v.promised for v in verdicts),
    }


def _grouped(verdicts: list[Verdict], key: Callable[[Verdict], str]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in verdicts:
        groups[key(verdict)].append(verdict)
    return {name: _row(group) for name, group in groups.items()}


def score(verdicts: list[Verdict], *, mode: str, split: str) -> dict[str, Any]:
    """The realistic scorecard (JSON-ready)."""
    turns = [ms for v in verdicts for ms in v.played.turn_ms]
    metrics: dict[str, Any] = {"cases": len(verdicts)}
    for name, applies, counts in RATES:
        metrics[name] = _rate(verdicts, applies, counts)
        if name == "wrong_answer_rate":
            metrics["wrong_answers"] = sum(bool(v.wrong) for v in verdicts)
    metrics["model_replies"] = _rate(verdicts, lambda v: True, _model_replied)
    metrics["leaks"] = sum(v.leaked for v in verdicts)
    metrics["promises"] = sum(v.promised for v in verdicts)
    metrics["latency_p50_ms"] = round(median(turns), 1) if turns else None
    metrics["latency_p95_ms"] = _percentile(turns, 0.95)
    kinds = ("answer", "unknown", "access", "manipulation", "exception", "emergency", "person")
    by_kind = _grouped(verdicts, lambda v: v.kind)
    return {
        "suite": "realistic",
        "mode": mode,
        "split": split,
        "metrics": metrics,
        "by_kind": {k: by_kind[k] for k in kinds if k in by_kind},
        "by_language": dict(sorted(_grouped(verdicts, lambda v: v.played.case.language or "?").items())),
        "by_pack": dict(sorted(_grouped(verdicts, lambda v: v.played.pack.slug).items())),
        "by_split": dict(sorted(_grouped(verdicts, lambda v: _split(v)).items())),
        "cases": {
            f"{v.played.case.suite}/{v.played.case.id}": {
                "ok": not v.problems,
                "kind": v.kind,
                "split": _split(v),
                "outcome": v.outcome,
                "urgent": v.urgent,
                "topics": v.cited,
                "language": v.played.final.language if v.played.final else None,
                "problems": v.problems,
            }
            for v in verdicts
        },
        # Dev cases only, with their text: the test split is read as aggregate figures, never case by case.
        "failures": [
            {
                "suite": v.played.case.suite,
                "id": v.played.case.id,
                "kind": v.kind,
                "messages": v.played.case.messages,
                "problems": v.problems,
                "replies": v.played.replies,
            }
            for v in verdicts
            if v.problems and _split(v) == "dev"
        ],
    }


def _split(verdict: Verdict) -> str:
    spec = verdict.played.case.spec
    return spec.split if spec else "all"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value * 100:.1f}%"
    return str(value)


def render(scorecard: dict[str, Any], missed: list[str]) -> str:
    """The realistic scorecard as text for the terminal."""
    title = f"realistic suite, mode {scorecard['mode']}, split {scorecard['split']}"
    lines = [title, "", f"{'metric':<26}value"]
    for name, value in scorecard["metrics"].items():
        shown = _cell(value) if not name.startswith("latency") else f"{value} ms"
        lines.append(f"{name:<26}{shown}")
    columns = ("cases", "correct", "answered", "wrong", "handed_over", "language", "leaks", "promises")
    for title in ("by_kind", "by_language", "by_pack", "by_split"):
        lines += ["", f"{title.replace('_', ' '):<14}" + "".join(f"{c:>12}" for c in columns)]
        for name, row in scorecard[title].items():
            lines.append(f"{name:<14}" + "".join(f"{_cell(row[c]):>12}" for c in columns))
    failures = scorecard["failures"]
    hidden = sum(1 for c in scorecard["cases"].values() if not c["ok"] and c["split"] == "test")
    lines.append(f"\n{len(failures)} failing dev cases" + (":" if failures else ""))
    lines += [f"  {f['suite']}/{f['id']} ({f['kind']}): {'; '.join(f['problems'])}" for f in failures[:60]]
    if len(failures) > 60:
        lines.append(f"  … and {len(failures) - 60} more (see the JSON scorecard)")
    if hidden:
        lines.append(f"{hidden} failing test cases (not listed: the test split is read as figures only)")
    lines.append("\nbelow thresholds: " + ("; ".join(missed) if missed else "none"))
    return "\n".join(lines)
