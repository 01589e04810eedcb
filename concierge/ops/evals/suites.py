"""`concierge eval --mode --split`: which cases run, how they are played and scored, which thresholds gate them.

The scenario and adversarial suites in offline mode go through runner.py and scoring.py exactly as before.
Realistic suites (cases with a kind), and any suite in model mode, are played by play.py; realistic cases are
judged by realistic.py and summed up by scorecard.py. A suite folder's `thresholds-<mode>.yaml` replaces the
default thresholds for that mode (so the realistic metrics, not the scenario ones, gate it).
"""

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from concierge.core.errors import InvalidInput
from concierge.ops.evals import scorecard as realistic_scorecard
from concierge.ops.evals import scoring
from concierge.ops.evals.cases import Case
from concierge.ops.evals.play import play
from concierge.ops.evals.realistic import judge
from concierge.ops.evals.scoring import judge as judge_scenario

if TYPE_CHECKING:
    from concierge.ops.releases.service import ReleaseConfig

SPLIT_CHOICES = ("dev", "test", "all")


def select_split(cases: list[Case], split: str) -> list[Case]:
    """The cases of one split ("all": every case); only realistic cases have a split."""
    if split == "all":
        return cases
    chosen = [c for c in cases if c.spec is not None and c.spec.split == split]
    if not chosen:
        raise InvalidInput([f"--split {split}: no case of that split (only realistic suites assign splits)"])
    return chosen


def play_and_score(
    cases: list[Case],
    *,
    pack: Path,
    mode: str,
    split: str,
    release: "ReleaseConfig | None",
    progress: Callable[[int, int], None] | None,
) -> dict[str, Any]:
    """Play the cases in `mode` and score them: the realistic scorecard, or the scenario one for other suites."""
    realistic = [c for c in cases if c.spec is not None]
    if realistic and len(realistic) != len(cases):
        raise InvalidInput(["realistic cases (with a kind) and other cases cannot be scored together"])
    played = play(cases, mode=mode, default_pack=pack, release=release, progress=progress)
    if realistic:
        return realistic_scorecard.score([judge(p) for p in played], mode=mode, split=split)
    results = [
        judge_scenario(p.case, p.final, p.replies, secrets=p.pack.secrets, entries=p.pack.entries) for p in played
    ]
    return scoring.score(results)


def thresholds_for(path: Path, *, mode: str) -> dict[str, tuple[str, float]]:
    """The nearest `thresholds-<mode>.yaml` at or above the suite, alone; else the scenario suites' thresholds."""
    start = path if path.is_dir() else path.parent
    for folder in [start, *start.resolve().parents]:
        file = folder / f"thresholds-{mode}.yaml"
        if file.is_file():
            thresholds = {}
            for metric, bound in (yaml.safe_load(file.read_text(encoding="utf-8")) or {}).items():
                ((direction, value),) = bound.items()
                thresholds[metric] = (direction, float(value))
            return thresholds
    return scoring.load_thresholds(path)


def render(scorecard: dict[str, Any], missed: list[str]) -> str:
    """The scorecard as text, in the layout of its kind."""
    if scorecard.get("suite") == "realistic":
        return realistic_scorecard.render(scorecard, missed)
    return scoring.render(scorecard, missed)
