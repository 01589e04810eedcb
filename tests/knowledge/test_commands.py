"""`concierge import` over an existing property, `kb history` timestamps and a closed pipe, as an operator runs them."""

import re
import subprocess
import sys
from pathlib import Path

import yaml
from sqlmodel import select

from concierge.core.db import session_scope
from knowledge import editing
from knowledge import service as knowledge_service
from knowledge.models import KnowledgeVersion
from tests.factories import ROOT, concierge, pack_data


def _write(tmp_path: Path, data: dict[str, object]) -> str:
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def _owner_edits_check_in() -> None:
    with session_scope() as s:
        prop = knowledge_service.get_property(s, slug="casa-test")
        assert prop.id is not None
        entry = {"topic": "check_in", "title": "Check-in", "content": {"en": "Check-in is from 16:00."}}
        editing.save_entry(s, property_id=prop.id, entry=entry, replaces="check_in", author="owner@example.com")


def _check_in_text() -> str:
    with session_scope(readonly=True) as s:
        newest = s.exec(select(KnowledgeVersion).order_by(KnowledgeVersion.version.desc())).first()  # type: ignore[attr-defined]
        assert newest is not None
        return str(next(e for e in newest.entries if e["topic"] == "check_in")["content"]["en"])


def test_import_never_silently_undoes_an_edit_made_in_the_admin(database_url: str, tmp_path: Path) -> None:
    pack = _write(tmp_path, pack_data())
    assert concierge("import", pack).returncode == 0
    _owner_edits_check_in()

    refused = concierge("import", pack)
    assert refused.returncode == 1 and refused.stdout == ""
    assert "casa-test exists: the import changes knowledge (~check_in), replaces its 1 staff" in refused.stderr
    assert "adds 0 and updates 2 reservations" in refused.stderr
    assert re.search(r"made in the admin by owner@example\.com at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", refused.stderr)
    assert "--replace" in refused.stderr
    assert _check_in_text() == "Check-in is from 16:00."

    kept = concierge("import", "--if-missing", pack)
    assert kept.returncode == 0 and "casa-test already exists (knowledge v2): nothing imported" in kept.stdout
    assert _check_in_text() == "Check-in is from 16:00."

    replaced = concierge("import", "--replace", pack)
    assert replaced.returncode == 0 and "knowledge v3 (import: ~check_in)" in replaced.stdout, replaced.stderr
    assert _check_in_text() == "Check-in is from 15:00."


def test_reimporting_over_an_import_or_an_unchanged_knowledge_needs_no_flag(database_url: str, tmp_path: Path) -> None:
    data = pack_data()
    assert concierge("import", _write(tmp_path, data)).returncode == 0
    data["knowledge"][0]["content"]["en"] = "Network CasaTest-6G, password sol-y-mar-2024."
    again = concierge("import", _write(tmp_path, data))
    assert again.returncode == 0 and "knowledge v2 (import: ~wifi)" in again.stdout
    assert "the import changes knowledge (~wifi)" in again.stderr


def test_make_run_imports_the_demo_once(database_url: str) -> None:
    first = concierge("import", "--if-missing", "examples/casa-azul.yaml")
    assert first.returncode == 0 and first.stdout.startswith("imported casa-azul: knowledge v1"), first.stderr
    second = concierge("import", "--if-missing", "examples/casa-azul.yaml")
    assert second.returncode == 0 and "casa-azul already exists (knowledge v1): nothing imported" in second.stdout
    assert "--if-missing examples/casa-azul.yaml" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_kb_history_prints_iso_utc_timestamps(database_url: str, tmp_path: Path) -> None:
    assert concierge("import", _write(tmp_path, pack_data())).returncode == 0
    line = concierge("kb", "history", "casa-test").stdout.splitlines()[0]
    assert re.fullmatch(r"1\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\timport\timport: .+", line), line


def test_a_closed_pipe_ends_the_command_quietly(database_url: str, tmp_path: Path) -> None:
    assert concierge("import", _write(tmp_path, pack_data())).returncode == 0
    with session_scope() as s:  # 300 versions of ~500 characters: more history than a pipe's buffer holds
        prop = knowledge_service.get_property(s, slug="casa-test")
        assert prop.id is not None
        for n in range(300):
            knowledge_service.publish(s, property_id=prop.id, entries=[], author="cli", summary=f"{n} " + "x" * 490)
    history = subprocess.Popen(
        [sys.executable, "-m", "concierge.cli", "kb", "history", "casa-test"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert history.stdout is not None and history.stderr is not None
    assert history.stdout.readline().startswith(b"301\t")
    history.stdout.close()  # `| head -1`
    errors = history.stderr.read().decode()
    assert history.wait(timeout=60) == 0
    assert "BrokenPipeError" not in errors and "Traceback" not in errors, errors


def test_an_import_leaves_a_draft_to_be_merged_and_a_published_draft_counts_as_an_edit(
    database_url: str, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from knowledge import drafts

    data = pack_data()
    pack = _write(tmp_path, data)
    assert concierge("import", pack).returncode == 0
    with session_scope() as s:
        prop = knowledge_service.get_property(s, slug="casa-test")
        entry = {"topic": "check_in", "title": "Check-in", "content": {"en": "Check-in is from 16:00."}}
        now = datetime.now(UTC)
        drafts.save_entry(
            s, property_id=prop.id or 0, entry=entry, replaces="check_in", author="o@example.com", now=now
        )
    data["knowledge"][0]["content"]["en"] = "Network Nueva, password mar."
    imported = concierge("import", _write(tmp_path, data))  # the published version is the pack's: no refusal
    assert imported.returncode == 0 and "unpublished draft by o@example.com (based on v1)" in imported.stderr
    with session_scope() as s:
        prop = knowledge_service.get_property(s, slug="casa-test")
        version, _fixes = drafts.publish(s, property_id=prop.id or 0, author="o@example.com")
        assert version is not None and version.version == 3 and version.summary == "~check_in"
        wifi = next(e for e in version.entries if e["topic"] == "wifi")
        assert wifi["content"]["en"] == "Network Nueva, password mar."  # the import, kept by the merge
    assert _check_in_text() == "Check-in is from 16:00."
    refused = concierge("import", pack)  # a published draft is an edit made in the admin
    assert refused.returncode == 1 and "--replace" in refused.stderr
