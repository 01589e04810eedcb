"""`concierge eval --property SLUG --marked [--export FILE]`: the command's wiring and its argument checks, the
export run by the realistic runner, and the demo's committed marked cases that `make eval` runs."""

import json
from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from concierge.cli import main
from concierge.conversation.marks import ReplyMark
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.ops.evals.cases import load_cases
from concierge.ops.evals.suites import thresholds_for
from escalation import marking
from knowledge.models import Property
from tests.factories import JOHN, ROOT, add_user, guest_says, trace_of


def test_marked_needs_a_property_and_a_property_needs_marked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--marked"]) != 0
    assert main(["eval", "--property", "casa-test"]) != 0
    assert "--marked --property SLUG" in capsys.readouterr().err


def test_a_property_without_marks_exports_an_empty_suite(
    prop: Property, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "marked.yaml"
    assert main(["eval", "--property", "casa-test", "--marked", "--export", str(out)]) == 0
    assert "casa-test: no marked case yet" in capsys.readouterr().out
    assert yaml.safe_load(out.read_text(encoding="utf-8")) == {"suite": "marked-casa-test", "cases": []}
    assert main(["eval", "--property", "nope", "--marked"]) != 0  # an unknown property: a clear error


def test_an_export_runs_in_the_realistic_runner_with_the_exported_pack(
    prop: Property, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = guest_says(prop, "what is the wifi password?", phone=JOHN)
    owner = add_user("owner@example.com")
    with session_scope() as s:
        reply_id = trace_of(message.id).reply_message_id
        assert reply_id is not None
        marking.mark_reply(s, user=owner, reply_id=reply_id, verdict="right", topic="", note="", now=utcnow())
    cases, pack, scorecard = tmp_path / "marked.yaml", tmp_path / "pack.yaml", tmp_path / "scorecard.json"
    assert main(["eval", "--property", "casa-test", "--marked", "--export", str(cases)]) == 0
    assert "1/1 marked cases pass" in capsys.readouterr().out
    assert main(["export", "casa-test"]) == 0
    pack.write_text(capsys.readouterr().out, encoding="utf-8")

    # What a team does with the file: run it like tests/evals/realistic, with the property's pack.
    assert main(["eval", str(cases), "--pack", str(pack), "--json", str(scorecard)]) == 0
    result = json.loads(scorecard.read_text(encoding="utf-8"))
    assert result["suite"] == "realistic" and result["metrics"]["cases_correct"] == 1.0
    assert list(result["cases"]) == [f"marked-casa-test/casa-test-mark-{_mark_id()}"]


def test_the_demos_marked_cases_are_a_suite_of_their_own_gated_on_every_case() -> None:
    folder = ROOT / "tests" / "evals" / "marked"
    cases = load_cases(folder)
    assert len(cases) >= 5 and all(c.spec is not None and c.spec.split == "dev" for c in cases)
    assert all(c.id.startswith("casa-azul-mark-") for c in cases)
    assert not [c for c in load_cases(ROOT / "tests" / "evals") if c.suite.startswith("marked")]  # run apart
    assert thresholds_for(folder, mode="offline")["cases_correct"][0] == "min"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "concierge eval tests/evals/marked --pack examples/casa-azul.yaml" in makefile


def _mark_id() -> int:
    with session_scope() as s:
        return s.exec(select(ReplyMark)).one().id or 0
