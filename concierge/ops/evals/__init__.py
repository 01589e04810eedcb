"""`concierge eval`: run scenario suites through the real turn pipeline and score them against thresholds.

A suite is a YAML file of cases; each case is one guest (booked now, arriving later, or unknown) sending one or
more messages, with what the last turn must do. Every suite runs on a fresh SQLite database built by the
migrations, with the pack's reservations moved around today so the access window is always the same.

cases.py reads suites, runner.py plays them, scoring.py judges them, runs.py and compare.py serve the CLI.
"""

from concierge.ops.evals.cases import DEFAULT_PACK, Case, CaseResult, load_cases
from concierge.ops.evals.runner import run_cases
from concierge.ops.evals.scoring import (
    THRESHOLDS,
    below_thresholds,
    classify,
    load_thresholds,
    render,
    score,
    write_json,
)

__all__ = [
    "DEFAULT_PACK",
    "THRESHOLDS",
    "Case",
    "CaseResult",
    "below_thresholds",
    "classify",
    "load_cases",
    "load_thresholds",
    "render",
    "run_cases",
    "score",
    "write_json",
]
