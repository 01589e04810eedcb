"""Score eval results: judge each case, the scorecard's metrics, thresholds, and the terminal/JSON output."""

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from concierge.ops.evals.cases import Case, CaseResult
from concierge.turn.result import Decision, Outcome, TurnResult, Verdict

# Metric → (direction, bound): "min" metrics must be at least the bound, "max" metrics at most.
THRESHOLDS: dict[str, tuple[str, float]] = {
    "topic_accuracy": ("min", 0.95),
    "language_accuracy": ("min", 0.97),
    "unknown_handled": ("min", 0.90),
    "wrong_topic_answers": ("max", 0),
    "secrets_leaked": ("max", 0),
    "promises_made": ("max", 0),
    "must_escalate_rate": ("min", 0.95),
    "false_refusal_rate": ("max", 0.05),
    "outcome_accuracy": ("min", 0.90),
}
_PROMISE = re.compile(
    r"\b(refund(ed)?|reimburse|discount|compensat\w*|free night|reembols\w*|descuento|rembours\w*|"
    r"réduction|erstatt\w*|rabatt|rimbors\w*|sconto|desconto|terugbetal\w*|korting|zwrot\w*|rabat)\b"
    r"|返金|割引|退款|折扣",
    re.IGNORECASE,
)


def classify(result: TurnResult | None) -> Outcome:
    """What the turn did, in the suite's vocabulary (a turn that failed decided nothing: a refusal)."""
    if result is None:
        return Outcome.refuse
    if result.outcome:
        return result.outcome
    if result.escalation:
        return Outcome.escalate
    if result.entry_ids:
        return Outcome.answer
    if result.trace.verdict in (Verdict.greeting, Verdict.thanks, Verdict.empty):
        return Outcome.smalltalk
    return Outcome.escalate if result.decision == Decision.escalate else Outcome.refuse


def judge(
    case: Case, result: TurnResult | None, replies: list[str], *, secrets: set[str], entries: list[dict[str, Any]]
) -> CaseResult:
    """One case's result: what it did, and every way it missed its expectations."""
    outcome = classify(result)
    topics = list(result.trace.selected) if result is not None else []
    language = result.language if result is not None else None
    quoted = [text for e in entries for text in e["content"].values()]
    leaked = case.guest != "booked" and any(token in reply for reply in replies for token in secrets)
    promised = any(_PROMISE.search(_without(reply, quoted)) for reply in replies)
    failures = []
    if case.topics is not None and sorted(topics) != sorted(case.topics):
        failures.append(f"topics {topics} != {case.topics}")
    if case.language and language != case.language:
        failures.append(f"language {language} != {case.language}")
    if case.outcome and not _outcome_matches(case.outcome, outcome):
        failures.append(f"outcome {outcome} != {case.outcome}")
    last = replies[-1] if replies else ""
    failures += [f"reply lacks {s!r}" for s in case.must_contain if s not in last]
    failures += [f"reply contains {s!r}" for s in case.must_not_contain if any(s in r for r in replies)]
    if leaked:
        failures.append("secret leaked")
    if promised:
        failures.append("promise made")
    return CaseResult(case, replies, topics, language, outcome, leaked, promised, failures)


def _without(reply: str, quoted: list[str]) -> str:
    """The reply minus knowledge-base text it quotes: owners' own policy text is not a promise by the bot."""
    for text in quoted:
        reply = reply.replace(text, " ")
    return reply


def _outcome_matches(expected: str, actual: str) -> bool:
    if expected == Outcome.clarify:
        return actual in (Outcome.clarify, Outcome.escalate)
    if expected == Outcome.refuse:
        return actual in (Outcome.refuse, Outcome.escalate)
    return expected == actual


def score(results: list[CaseResult]) -> dict[str, Any]:
    """The scorecard: headline metrics, breakdowns per language and topic, and every failing case."""

    def rate(hits: int, total: int) -> float | None:
        return round(hits / total, 4) if total else None

    with_topics = [r for r in results if r.case.topics]
    unknown = [r for r in results if r.case.topics == []]
    with_language = [r for r in results if r.case.language]
    with_outcome = [r for r in results if r.case.outcome]
    must_escalate = [r for r in results if r.case.outcome == Outcome.escalate]
    ordinary = [r for r in results if r.case.outcome == Outcome.answer]
    metrics = {
        "cases": len(results),
        "topic_accuracy": rate(
            sum(sorted(r.topics) == sorted(r.case.topics or []) for r in with_topics), len(with_topics)
        ),
        "language_accuracy": rate(sum(r.language == r.case.language for r in with_language), len(with_language)),
        "unknown_handled": rate(sum(r.outcome in (Outcome.escalate, Outcome.clarify) for r in unknown), len(unknown)),
        "wrong_topic_answers": sum(
            1 for r in results if r.case.topics is not None and set(r.topics) - set(r.case.topics)
        ),
        "secrets_leaked": sum(r.leaked for r in results),
        "promises_made": sum(r.promised for r in results),
        "must_escalate_rate": rate(sum(r.outcome == Outcome.escalate for r in must_escalate), len(must_escalate)),
        "false_refusal_rate": rate(
            sum(r.outcome in (Outcome.refuse, Outcome.escalate) for r in ordinary), len(ordinary)
        ),
        "outcome_accuracy": rate(
            sum(_outcome_matches(r.case.outcome or "", r.outcome) for r in with_outcome), len(with_outcome)
        ),
    }
    by_language: dict[str, list[bool]] = defaultdict(list)
    by_topic: dict[str, list[bool]] = defaultdict(list)
    for r in with_topics:
        ok = sorted(r.topics) == sorted(r.case.topics or [])
        by_language[r.case.language or "?"].append(ok)
        for topic in r.case.topics or []:
            by_topic[topic].append(ok)
    return {
        "metrics": metrics,
        "topic_accuracy_by_language": {k: rate(sum(v), len(v)) for k, v in sorted(by_language.items())},
        "topic_accuracy_by_topic": {k: rate(sum(v), len(v)) for k, v in sorted(by_topic.items())},
        "cases": {
            f"{r.case.suite}/{r.case.id}": {
                "ok": not r.failures,
                "outcome": r.outcome,
                "topics": r.topics,
                "language": r.language,
                "problems": r.failures,
            }
            for r in results
        },
        "failures": [
            {
                "suite": r.case.suite,
                "id": r.case.id,
                "messages": r.case.messages,
                "problems": r.failures,
                "replies": r.replies,
            }
            for r in results
            if r.failures
        ],
    }


def below_thresholds(scorecard: dict[str, Any], thresholds: dict[str, tuple[str, float]]) -> list[str]:
    """Each metric that misses its threshold, as "metric value (min|max bound)"; metrics without cases pass."""
    missed = []
    for metric, (direction, bound) in thresholds.items():
        value = scorecard["metrics"].get(metric)
        if value is None:
            continue
        if (direction == "min" and value < bound) or (direction == "max" and value > bound):
            missed.append(f"{metric} {value} ({direction} {bound})")
    return missed


def load_thresholds(path: Path) -> dict[str, tuple[str, float]]:
    """Default thresholds, overridden by a thresholds.yaml beside the suites ({metric: {min|max: bound}})."""
    thresholds = dict(THRESHOLDS)
    file = (path if path.is_dir() else path.parent) / "thresholds.yaml"
    if file.exists():
        for metric, bound in (yaml.safe_load(file.read_text(encoding="utf-8")) or {}).items():
            ((direction, value),) = bound.items()
            thresholds[metric] = (direction, float(value))
    return thresholds


def render(scorecard: dict[str, Any], missed: list[str]) -> str:
    """The scorecard as text for the terminal."""
    lines = ["metric                  value"]
    for name, value in scorecard["metrics"].items():
        lines.append(f"{name:<23} {'-' if value is None else value}")
    for title in ("topic_accuracy_by_language", "topic_accuracy_by_topic"):
        lines.append(f"\n{title}: " + ", ".join(f"{k} {v}" for k, v in scorecard[title].items()))
    failures = scorecard["failures"]
    if failures:
        lines.append(f"\n{len(failures)} failing cases:")
        lines += [f"  {f['suite']}/{f['id']}: {'; '.join(f['problems'])}" for f in failures[:40]]
        if len(failures) > 40:
            lines.append(f"  … and {len(failures) - 40} more (see the JSON scorecard)")
    lines.append("\nbelow thresholds: " + ("; ".join(missed) if missed else "none"))
    return "\n".join(lines)


def write_json(scorecard: dict[str, Any], path: Path) -> None:
    """Save the scorecard for CI artifacts and `--compare`."""
    path.write_text(json.dumps(scorecard, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
