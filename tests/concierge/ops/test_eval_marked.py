"""`concierge eval --property SLUG --marked [--export FILE]`: the command's wiring and its argument checks."""

from pathlib import Path

import pytest
import yaml

from concierge.cli import main
from knowledge.models import Property


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
