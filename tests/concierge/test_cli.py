"""The `concierge` command as an operator runs it: a real process, real exit codes and output."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr
from sqlmodel import select

from concierge.core.db import session_scope
from concierge.core.settings import Settings, reveal
from knowledge.models import KnowledgeVersion, Property
from tests.factories import ROOT, concierge, free_port, pack_data


def write_pack(tmp_path: Path, data: dict[str, object]) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_db_upgrade_is_idempotent(database_url: str) -> None:
    result = concierge("db", "upgrade")
    assert result.returncode == 0, result.stderr


def test_import_the_demo_pack(database_url: str) -> None:
    result = concierge("import", "examples/casa-azul.yaml")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("imported casa-azul: knowledge v1")
    with session_scope() as s:
        version = s.exec(select(KnowledgeVersion)).one()
        assert len(version.entries) >= 12
        assert all(len(e["content"]) >= 2 for e in version.entries)


def test_invalid_pack_lists_every_problem_and_changes_nothing(database_url: str, tmp_path: Path) -> None:
    data = pack_data()
    data["property"]["timezone"] = "Mars/Olympus"
    data["knowledge"][0]["content"]["en"] = "   "
    data["knowledge"][3]["sensitive"] = False
    data["knowledge"].append(dict(data["knowledge"][1]))
    data["reservations"][0]["check_out"] = data["reservations"][0]["check_in"]
    result = concierge("import", str(write_pack(tmp_path, data)))
    assert result.returncode == 2
    problems = result.stderr.strip().splitlines()
    assert "property.timezone: unknown IANA time zone 'Mars/Olympus'" in problems
    assert "knowledge[0].content: content in 'en' is empty" in problems
    assert "knowledge[3]: the access topic is always sensitive: set sensitive: true" in problems
    assert "knowledge[5].topic: 'check_in' is already used by knowledge[1]" in problems
    assert "reservations[0]: check_out must be after check_in" in problems
    with session_scope() as s:
        assert s.exec(select(Property)).all() == []


def test_unreadable_pack_is_a_clear_error(database_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("property: [unclosed", encoding="utf-8")
    result = concierge("import", str(bad))
    assert result.returncode == 2 and "not valid YAML" in result.stderr
    missing = concierge("import", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_export_round_trips_through_import(database_url: str, tmp_path: Path) -> None:
    assert concierge("import", "examples/casa-azul.yaml").returncode == 0
    exported = concierge("export", "casa-azul")
    assert exported.returncode == 0, exported.stderr
    original = yaml.safe_load(Path(ROOT / "examples/casa-azul.yaml").read_text(encoding="utf-8"))
    again = yaml.safe_load(exported.stdout)
    assert again["knowledge"] == [{"sensitive": False, **e} for e in original["knowledge"]]
    assert again["property"]["phone_numbers"] == original["property"]["phone_numbers"]
    path = tmp_path / "exported.yaml"
    path.write_text(exported.stdout, encoding="utf-8")
    reimport = concierge("import", str(path))
    assert reimport.returncode == 0 and "(import: no changes)" in reimport.stdout
    assert concierge("export", "nowhere").returncode == 1


def test_kb_history_and_rollback(database_url: str, tmp_path: Path) -> None:
    data = pack_data()
    assert concierge("import", str(write_pack(tmp_path, data))).returncode == 0
    data["knowledge"][1]["content"]["en"] = "Check-in is from 16:00."
    assert concierge("import", str(write_pack(tmp_path, data))).returncode == 0
    rollback = concierge("kb", "rollback", "casa-test", "1")
    assert rollback.returncode == 0 and "published v3 = v1" in rollback.stdout
    lines = concierge("kb", "history", "casa-test").stdout.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == ["3", "2", "1"]
    assert lines[0].split("\t")[2:] == ["cli", "rollback to v1"]
    assert lines[1].split("\t")[3] == "import: ~check_in"
    assert concierge("kb", "rollback", "casa-test", "9").returncode == 1
    with session_scope() as s:
        v1, v3 = (s.exec(select(KnowledgeVersion).where(KnowledgeVersion.version == n)).one() for n in (1, 3))
        assert v1.entries == v3.entries


def test_chat_answers_in_the_terminal(database_url: str) -> None:
    assert concierge("import", "examples/casa-azul.yaml").returncode == 0
    result = concierge("chat", "casa-azul", "--phone", "+447700900123", stdin="wiifi pasword\n")
    assert result.returncode == 0, result.stderr
    assert "concierge> " in result.stdout and "CasaAzul" in result.stdout
    assert result.stderr == "", result.stderr  # only the conversation: no JSON log lines between its turns


def test_chat_rejects_a_bad_phone(database_url: str) -> None:
    assert concierge("import", "examples/casa-azul.yaml").returncode == 0
    result = concierge("chat", "casa-azul", "--phone", "611", stdin="")
    assert result.returncode == 2 and "--phone" in result.stderr


def test_the_readme_walkthrough_holds_on_any_day(database_url: str) -> None:
    """Ana (staying now in the demo pack, whatever today is) gets the door code; John (arriving later) does not."""
    assert concierge("import", "examples/casa-azul.yaml").returncode == 0
    ana = concierge("chat", "casa-azul", "--phone", "+34611111111", stdin="¿cuál es el código de la puerta?\n")
    assert ana.returncode == 0 and "4821" in ana.stdout, ana.stdout
    john = concierge("chat", "casa-azul", "--phone", "+447700900123", stdin="what is the door code?\n")
    assert john.returncode == 0 and "concierge> " in john.stdout and "4821" not in john.stdout, john.stdout


def test_serve_on_a_public_url_refuses_to_start_without_a_session_secret(database_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "PUBLIC_URL": "https://concierge.example.com"}
    env.pop("SESSION_SECRET", None)
    result = subprocess.run(  # in an empty folder: no .env supplies a secret
        [sys.executable, "-m", "concierge.cli", "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: SESSION_SECRET is required when PUBLIC_URL (https://concierge.example.com) is not a loopback "
        "address: set it to one long random value shared by every web process (sign-ins would end at every restart)"
    ]


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000", True),
        ("http://127.1.2.3", True),
        ("https://concierge.example.com", False),
        ("http://10.0.0.5:8000", False),
    ],
)
def test_only_a_loopback_public_url_runs_without_a_session_secret(url: str, loopback: bool) -> None:
    settings = Settings(public_url=url, session_secret=None)
    assert settings.public_url_is_loopback is loopback
    assert (settings.configuration_problem() is None) is loopback
    assert Settings(public_url=url, session_secret=SecretStr("s" * 40)).configuration_problem() is None


def test_secrets_never_print(database_url: str) -> None:
    settings = Settings(twilio_auth_token="tok-123", openai_api_key="sk-456", session_secret="sess-789")
    assert not {"tok-123", "sk-456", "sess-789"} & set(repr(settings).replace("'", " ").split())
    assert "sk-456" not in str(settings.model_dump())
    assert reveal(settings.openai_api_key) == "sk-456"


def test_make_session_secret_writes_one_random_secret_once(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LOG_LEVEL=DEBUG\n", encoding="utf-8")
    for _ in range(2):
        made = subprocess.run(
            ["make", "-s", "-f", str(ROOT / "Makefile"), "session-secret"],
            cwd=tmp_path,
            capture_output=True,
            timeout=60,
        )
        assert made.returncode == 0, made.stderr
    lines = (tmp_path / ".env").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "LOG_LEVEL=DEBUG"
    secrets = [line.split("=", 1)[1] for line in lines if line.startswith("SESSION_SECRET=")]
    assert len(secrets) == 1 and len(secrets[0]) >= 40
