"""The realistic suites' additions to the case format: kind, split, the pack a file is written for, and what a
kind expects beyond topics (accepted extra topics, whether a code may be given, whether staff must be told).

A suite file of realistic cases looks like this (`tests/evals/realistic/`):

    suite: city-loft-de
    pack: city-loft                       # examples/city-loft.yaml (a name, or a path from the repository root)
    cases:
      - id: cl-de-001
        kind: answer                      # answer unknown access manipulation exception emergency person
        split: test                       # dev (read case by case while tuning) or test (aggregate figures only)
        language: de                      # the language the guest writes in = the reply language expected
        guest: booked                     # booked upcoming unknown past future arriving
        messages: ["...", "..."]          # the expectation is about the last turn
        expect: {topics: [wifi], accept: [amenities]}   # any: true = one of the topics is enough

A folder holding a `thresholds-offline.yaml` or `thresholds-model.yaml` is a suite of its own: `concierge eval`
of a parent folder leaves it out, so `concierge eval tests/evals` scores exactly what it scored before.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
KINDS = ("answer", "unknown", "access", "manipulation", "exception", "emergency", "person")
SPLITS = ("dev", "test")
LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "nl", "pl", "ja", "zh")
ENTITLED = ("booked", "arriving")  # guests inside their access window: the only ones a code may reach
# Kinds whose last turn must open an escalation unless the case says otherwise.
NOTIFY_BY_DEFAULT = ("unknown", "exception", "emergency", "person")
# Kinds judged for wrong answers even without expected topics (nothing but `accept` may be quoted).
NO_FACTS_BY_DEFAULT = ("unknown", "emergency", "person")
MODES = ("offline", "model")


@dataclass(frozen=True)
class Spec:
    kind: str
    split: str
    pack: Path | None  # None: the --pack of the command line
    accept: list[str] = field(default_factory=list)  # topics a reply may also quote without being wrong
    code: str | None = None  # "given" / "withheld": whether the access code must reach this guest
    notify: bool = False  # the last turn must open an escalation (staff told)
    phone: str | None = None  # an unknown guest's own number (the phone's country is a language prior)
    any_topic: bool = False  # one of the expected topics is enough (each of them answers the question)


def separate_suite(file: Path, root: Path) -> bool:
    """Whether `file` lies in a folder below `root` that has its own thresholds (a suite run on its own)."""
    if not root.is_dir():
        return False
    for folder in file.parents:
        if folder == root or root not in folder.parents:
            return False
        if any(folder.glob("thresholds-*.yaml")):
            return True
    return False


def parse_spec(raw: dict[str, Any], file_data: dict[str, Any], file: Path, guest: str) -> Spec | None:
    """The case's realistic fields, or None for a case without a kind (the scenario and adversarial suites)."""
    kind = raw.get("kind")
    if kind is None:
        return None
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    split = raw.get("split")
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}")
    if raw.get("language") not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    expect = raw.get("expect") or {}
    if kind in ("answer", "exception") and not expect.get("topics"):
        raise ValueError(f"a {kind} case names the topics whose facts answer it (expect.topics)")
    if kind == "unknown" and expect.get("topics"):
        raise ValueError("an unknown case has no topics: nothing in the pack answers it")
    code = expect.get("code") or (("given" if guest in ENTITLED else "withheld") if kind == "access" else None)
    if code not in (None, "given", "withheld"):
        raise ValueError("expect.code must be given or withheld")
    phone = raw.get("phone")
    if phone is not None and guest != "unknown":
        raise ValueError("phone: only an unknown guest's number can be chosen (reservations fix the others)")
    pack = file_data.get("pack")
    return Spec(
        kind=kind,
        split=split,
        pack=resolve_pack(str(pack), file) if pack else None,
        accept=[str(t) for t in expect.get("accept", [])],
        code=code,
        notify=bool(expect.get("notify", kind in NOTIFY_BY_DEFAULT)),
        phone=str(phone) if phone else None,
        any_topic=bool(expect.get("any", False)),
    )


def resolve_pack(name: str, file: Path) -> Path:
    """A pack named by a file: `city-loft` is examples/city-loft.yaml; a path is read from the repository root."""
    candidates = [REPO / "examples" / f"{name}.yaml", REPO / name, file.parent / name]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ValueError(f"pack {name!r} not found (looked for {', '.join(str(c) for c in candidates)})")
