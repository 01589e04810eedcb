"""The package as an operator installs it: a wheel in a fresh virtual environment migrates a database with
`concierge db upgrade` and imports a property pack, far from the repository (the migrations ship in the wheel)."""

import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
from pathlib import Path

from alembic.script import ScriptDirectory

from concierge.core.db import alembic_config
from tests.factories import ROOT


def build_wheel(into: Path) -> Path:
    """`pip wheel` of a clean copy of the repository (an in-tree build/ folder may hold stale files), without build
    isolation: the setuptools of this environment, no downloads."""
    source = into.parent / "source"
    skip = shutil.ignore_patterns(".*", "build", "dist", "*.egg-info", "__pycache__", "tests", "docs", "*.db*")
    shutil.copytree(ROOT, source, ignore=skip)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(into), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(into.glob("guest_concierge-*.whl"))


def fresh_venv_with(wheel: Path, at: Path) -> Path:
    """A new virtual environment with the wheel installed; its dependencies are this environment's (a .pth line)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(at)], check=True, timeout=120)
    python = at / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Only the dependencies: a path added by a .pth line is not a site directory, so this environment's editable
    # install of the project (its own .pth finder) is not seen, and the wheel's copy is the only one.
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return at / "bin"


def test_the_wheel_migrates_a_database_and_imports_a_pack(tmp_path: Path) -> None:
    bin_dir = fresh_venv_with(build_wheel(tmp_path / "wheels"), tmp_path / "venv")
    work = tmp_path / "elsewhere"
    work.mkdir()
    database = work / "concierge.db"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PROMETHEUS_MULTIPROC_DIR")}
    env.update(DATABASE_URL=f"sqlite:///{database}", LOG_LEVEL="WARNING")

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=work, env=env, input=stdin, capture_output=True, text=True, timeout=300)

    where = run(str(bin_dir / "python"), "-c", "import concierge.core.db as d; print(d.migrations_dir())")
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(tmp_path / "venv"), where.stdout  # not the repository's
    upgraded = run(str(bin_dir / "concierge"), "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    with sqlite3.connect(database) as db:
        (version,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
    assert {version} == set(ScriptDirectory.from_config(alembic_config()).get_heads())
    imported = run(str(bin_dir / "concierge"), "import", str(ROOT / "examples" / "casa-azul.yaml"))
    assert imported.returncode == 0, imported.stderr
    assert "imported casa-azul" in imported.stdout
    # A turn from the installed package: templates aside, every data file it reads (lexicons, phrase lists,
    # locales, prompts, prices) ships in the wheel.
    chat = run(str(bin_dir / "concierge"), "chat", "casa-azul", "--phone", "+34611111111", stdin="wifi password?\n")
    assert chat.returncode == 0, chat.stderr
    assert "sol-y-mar-2024" in chat.stdout, chat.stdout  # the password sentence: the answer, not the entry
