"""Eval cases: the suite files' format (one guest, one or more messages, what the last turn must do)."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from concierge.core.errors import InvalidInput
from concierge.ops.evals.spec import Spec, parse_spec, separate_suite
from concierge.turn.result import Outcome

DEFAULT_PACK = Path(__file__).resolve().parents[3] / "examples" / "casa-azul.yaml"
UNKNOWN_PHONE = "+15550009999"
GUESTS = ("booked", "upcoming", "unknown", "past", "future", "arriving")
OUTCOMES = tuple(Outcome)


@dataclass(frozen=True)
class Case:
    suite: str
    id: str
    guest: str
    channel: str
    messages: list[str]
    topics: list[str] | None  # None: not checked; []: nothing in the knowledge base answers it
    language: str | None
    outcome: str | None
    must_contain: list[str] = field(default_factory=list)
    must_not_contain: list[str] = field(default_factory=list)
    spec: Spec | None = None  # kind, split, pack…: the realistic suites' fields (concierge/evals/spec.py)


@dataclass
class CaseResult:
    case: Case
    replies: list[str]
    topics: list[str]
    language: str | None
    outcome: str
    leaked: bool
    promised: bool
    failures: list[str]


def load_cases(path: Path) -> list[Case]:
    """Every case of a suite file, or of every *.yaml below a folder; invalid cases are reported together."""
    files = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    files = [f for f in files if not f.name.startswith("thresholds") and not separate_suite(f, path)]
    cases: list[Case] = []
    problems: list[str] = []
    for file in files:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            problems.append(f"{file}: {exc}")
            continue
        suite = str(data.get("suite") or file.stem)
        for index, raw in enumerate(data.get("cases") or []):
            where = f"{file}:cases[{index}]"
            try:
                cases.append(_case(suite, raw, index, data, file))
            except (KeyError, TypeError, ValueError) as exc:
                problems.append(f"{where}: {exc}")
    if problems:
        raise InvalidInput(problems)
    if not cases:
        raise InvalidInput([f"{path}: no cases found"])
    return cases


def _case(suite: str, raw: dict[str, Any], index: int, data: dict[str, Any], file: Path) -> Case:
    messages = raw.get("messages") or [raw["message"]]
    expect = raw.get("expect") or {}
    guest = raw.get("guest", "booked")
    if guest not in GUESTS:
        raise ValueError(f"guest must be one of {', '.join(GUESTS)}")
    outcome = expect.get("outcome")
    if outcome is not None and outcome not in OUTCOMES:
        raise ValueError(f"expect.outcome must be one of {', '.join(OUTCOMES)}")
    topics = expect.get("topics")
    return Case(
        suite=suite,
        id=str(raw.get("id") or f"{suite}-{index}"),
        guest=guest,
        channel=raw.get("channel", "sms"),
        messages=[str(m) for m in messages],
        topics=[str(t) for t in topics] if topics is not None else None,
        language=expect.get("language", raw.get("language")),
        outcome=outcome,
        must_contain=[str(s) for s in expect.get("must_contain", [])],
        must_not_contain=[str(s) for s in expect.get("must_not_contain", [])],
        spec=parse_spec(raw, data, file, guest),
    )
