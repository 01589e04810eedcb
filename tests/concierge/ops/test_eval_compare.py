"""`concierge eval --release` and `--compare A B`: releases evaluated on scratch databases, differences per case."""

import json
from pathlib import Path

import pytest

from concierge.cli import main
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.ops.releases import service as release_service
from tests import factories

SUITE = """
suite: tiny
cases:
  - {id: wifi, message: "wiifi pasword", expect: {topics: [wifi], language: es, outcome: answer}}
  - {id: unknown, message: "can I bring my horse to the opera?", expect: {topics: [], outcome: escalate}}
"""


def make_release(name: str, threshold: float) -> int:
    """An offline release with this retrieval threshold, not active."""
    return factories.make_release(name, thresholds={"retrieval_threshold": threshold})


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_two_releases_names_the_regressed_case(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tiny.yaml").write_text(SUITE, encoding="utf-8")
    good, strict = make_release("good", 0.7), make_release("strict", 1.0)
    code, out, _ = run(capsys, "eval", str(tmp_path), "--compare", str(good), str(strict))
    assert code == 1
    assert "regressed (passed in A, fail in B): 1\n  tiny/wifi: topics [] != ['wifi']" in out
    assert "fixed (failed in A, pass in B): 0" in out
    assert "topic_accuracy" in out and "-1.0" in out


def test_release_scorecard_and_compare_files(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tiny.yaml").write_text(SUITE, encoding="utf-8")
    good = make_release("good", 0.7)
    with session_scope() as s:
        release_service.activate(s, release_id=good, now=utcnow())
    card = tmp_path / "a.json"
    code, _, err = run(capsys, "eval", str(tmp_path), "--release", "active", "--json", str(card))
    assert code == 0 and f"with release {good} (good)" in err
    data = json.loads(card.read_text(encoding="utf-8"))
    assert data["release"]["name"] == "good" and data["cases"]["tiny/wifi"]["ok"] is True
    worse = dict(
        data, cases={**data["cases"], "tiny/wifi": {**data["cases"]["tiny/wifi"], "ok": False, "problems": ["x"]}}
    )
    (tmp_path / "b.json").write_text(json.dumps(worse), encoding="utf-8")
    assert run(capsys, "eval", "--compare", str(card), str(card))[0] == 0
    code, out, _ = run(capsys, "eval", "--compare", str(card), str(tmp_path / "b.json"))
    assert code == 1 and "tiny/wifi: x" in out
    code, _, err = run(capsys, "eval", "--compare", str(card), "nonsense")
    assert code == 1 and "neither a scorecard file nor a release id" in err
