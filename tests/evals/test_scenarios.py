"""CI gate: the multilingual scenario suite must stay at or above its thresholds (tests/evals/scenarios)."""

import os
import subprocess
import sys
from pathlib import Path

from tests.factories import ROOT

SCENARIOS = Path(__file__).parent / "scenarios"


def test_scenario_suite_meets_its_thresholds(database_url: str) -> None:
    # About 400 real turns (~25 s of CPU): a generous timeout, since CI machines are shared.
    result = subprocess.run(
        [sys.executable, "-m", "concierge.cli", "eval", str(SCENARIOS)],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "below thresholds: none" in result.stdout
