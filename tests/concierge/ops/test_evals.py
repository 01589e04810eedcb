"""`concierge eval`: real turns on a scratch database, a scorecard, and an exit code CI can trust."""

import json
import os
from pathlib import Path

from sqlmodel import select

from concierge.core.db import session_scope
from knowledge.models import Property
from tests.factories import concierge

PASSING = """
suite: tiny
cases:
  - {id: wifi, message: "wiifi pasword", expect: {topics: [wifi], language: es, outcome: answer}}
  - {id: code-stranger, guest: unknown, message: "door code?", expect: {topics: [access], must_not_contain: ["4821"]}}
"""


def test_passing_suite_exits_0_and_writes_json(tmp_path: Path, database_url: str) -> None:
    (tmp_path / "tiny.yaml").write_text(PASSING, encoding="utf-8")
    scorecard = tmp_path / "score.json"
    result = concierge("eval", str(tmp_path), "--json", str(scorecard))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "below thresholds: none" in result.stdout
    assert '"level": "INFO"' not in result.stderr, result.stderr  # progress and warnings only, no turn logs
    data = json.loads(scorecard.read_text(encoding="utf-8"))
    assert data["metrics"]["cases"] == 2 and data["metrics"]["topic_accuracy"] == 1.0
    assert data["metrics"]["secrets_leaked"] == 0
    with session_scope() as s:  # the eval used its own scratch database, not the caller's
        assert s.exec(select(Property)).all() == []
    assert os.environ["DATABASE_URL"] == database_url


def test_regression_exits_1_and_names_the_case(tmp_path: Path, database_url: str) -> None:
    (tmp_path / "tiny.yaml").write_text(
        PASSING + '  - {id: wrong, message: "wifi?", expect: {topics: [parking]}}\n', encoding="utf-8"
    )
    result = concierge("eval", str(tmp_path))
    assert result.returncode == 1
    assert "tiny/wrong: topics ['wifi'] != ['parking']" in result.stdout
    assert "topic_accuracy 0.6667 (min 0.95)" in result.stdout


def test_thresholds_file_overrides_defaults(tmp_path: Path, database_url: str) -> None:
    (tmp_path / "tiny.yaml").write_text(
        PASSING + '  - {id: wrong, message: "wifi?", expect: {topics: [parking]}}\n', encoding="utf-8"
    )
    (tmp_path / "thresholds.yaml").write_text("topic_accuracy: {min: 0.5}\nwrong_topic_answers: {max: 1}\n")
    assert concierge("eval", str(tmp_path)).returncode == 0


def test_invalid_suite_is_reported_with_its_place(tmp_path: Path, database_url: str) -> None:
    (tmp_path / "bad.yaml").write_text("cases:\n  - {message: hi, guest: vip}\n  - {id: x}\n", encoding="utf-8")
    result = concierge("eval", str(tmp_path))
    assert result.returncode == 2
    assert "bad.yaml:cases[0]: guest must be one of booked, upcoming, unknown" in result.stderr
    assert "bad.yaml:cases[1]: 'message'" in result.stderr
