"""Run a suite against a release, and compare two runs: the glue between `concierge eval`, evals and releases."""

import sys
from pathlib import Path
from typing import Any

from concierge.core.errors import NotFound
from concierge.ops.evals import cases as eval_cases
from concierge.ops.evals import compare as eval_compare
from concierge.ops.evals import runner as eval_runner
from concierge.ops.evals import scoring
from concierge.ops.evals.suites import play_and_score, select_split
from concierge.ops.releases.service import ReleaseConfig


def release_from_database(spec: str) -> ReleaseConfig | None:
    """Release `spec` (an id, or "active") of DATABASE_URL; None for "active" when none was activated."""
    from concierge.core.db import session_scope
    from concierge.ops.releases import service as release_service

    with session_scope(readonly=True) as session:
        release_id = release_service.active_release_id(session) if spec == "active" else int(spec)
        if release_id is None:
            return None
        return release_service.config_for(release_service.get_release(session, release_id=release_id))


def run_suite(
    path: Path, *, pack: Path, release: str = "", mode: str = "offline", split: str = "all"
) -> dict[str, Any]:
    """Score the suites at `path` (on a scratch database) with the given release, or the environment's settings."""
    config = release_from_database(release) if release else None
    cases = select_split(eval_cases.load_cases(path), split)

    def progress(done: int, total: int) -> None:
        if done % 50 == 0 or done == total:
            print(f"  {done}/{total} cases", file=sys.stderr)

    named = f" with release {config.id} ({config.name})" if config else ""
    print(f"running {len(cases)} cases from {path}{named}", file=sys.stderr)
    if mode != "offline" or any(case.spec for case in cases):  # realistic cases, or the fake model
        scorecard = play_and_score(cases, pack=pack, mode=mode, split=split, release=config, progress=progress)
    else:
        scorecard = scoring.score(eval_runner.run_cases(cases, pack_path=pack, progress=progress, release=config))
    scorecard["release"] = config.trace() if config else None
    return scorecard


def _side(spec: str, *, path: Path, pack: Path) -> tuple[dict[str, Any], str]:
    if Path(spec).is_file():
        return eval_compare.load_scorecard(Path(spec)), spec
    if not spec.isdigit():
        raise NotFound(f"{spec}: neither a scorecard file nor a release id")
    scorecard = run_suite(path, pack=pack, release=spec)
    return scorecard, f"release {spec}"


def compare_command(specs: list[str], *, path: Path, pack: Path) -> int:
    """Print what changed from A to B; 1 when a case that passed in A fails in B."""
    a, a_name = _side(specs[0], path=path, pack=pack)
    b, b_name = _side(specs[1], path=path, pack=pack)
    diff = eval_compare.compare(a, b)
    print(eval_compare.render(diff, a_name=a_name, b_name=b_name))
    return 1 if diff["regressed"] else 0
