"""What can be tested of the container without a Docker engine: the entrypoint and the health check."""

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.factories import ROOT, free_port


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_dockerfile_builds_the_wheel_in_one_stage_and_runs_it_as_non_root_in_another() -> None:
    text = dockerfile()
    bases = re.findall(r"^FROM (\S+)(?: AS \w+)?$", text, re.M)
    assert len(bases) == 2, "a build stage and a runtime stage"
    for base in bases:  # a patch version (and optionally a digest), never a moving tag
        assert re.fullmatch(r"python:3\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base), base
    build, runtime = text.split("\nFROM ")[1:]
    assert "pip wheel" in build and " -e " not in text  # the wheel, not editable
    assert "--require-hashes -r requirements/production.txt" in build  # dependencies from the hashed lock only
    assert "install --no-deps /wheels/" in build
    assert "COPY --from=build /opt/concierge /opt/concierge" in runtime
    assert re.search(r"^USER (?!root)\w+", runtime, re.M)
    assert "HEALTHCHECK" in runtime and "/healthz" in runtime
    assert 'ENTRYPOINT ["docker-entrypoint.sh"]' in runtime
    for copied in re.findall(r"^COPY (?!--from)(.+) \S+$", text, re.M):
        for source in copied.split():
            assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"


def healthcheck() -> list[str]:
    """The image's HEALTHCHECK command."""
    found = re.search(r'CMD (python -c ".*")$', dockerfile(), re.M)
    assert found is not None
    return shlex.split(found.group(1))


def entrypoint(*args: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["sh", str(ROOT / "scripts" / "docker-entrypoint.sh"), *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_entrypoint_migrates_imports_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'container.db'}",
        "IMPORT_PACK": str(ROOT / "examples" / "casa-azul.yaml"),
        "PORT": str(port),
    }
    proc = entrypoint(env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 90  # generous: the machine may be busy
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=0.5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            time.sleep(0.2)
        else:
            raise AssertionError("the container entrypoint never became ready")
        probe = subprocess.run(healthcheck(), env=env, timeout=10)
        assert probe.returncode == 0
        proc.send_signal(signal.SIGTERM)
        # uvicorn drains, then re-raises the signal so the exit status says "terminated by SIGTERM".
        assert proc.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        if proc.poll() is None:
            proc.kill()
    output = proc.stdout.read() if proc.stdout else ""
    assert "imported casa-azul" in output
    assert "Finished server process" in output  # a graceful shutdown, not a kill


def test_the_worker_role_passes_the_same_healthcheck_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'container.db'}",
        "IMPORT_PACK": str(ROOT / "examples" / "casa-azul.yaml"),  # only `serve` imports it
        "PORT": str(port),
    }
    migrate = entrypoint("db", "upgrade", env=env, cwd=tmp_path)  # the one-off migration command
    assert migrate.wait(timeout=120) == 0, migrate.stdout.read() if migrate.stdout else ""
    assert subprocess.run(healthcheck(), env=env, timeout=10, capture_output=True).returncode != 0  # nothing up
    proc = entrypoint("worker", env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 90  # generous: the machine may be busy
        while subprocess.run(healthcheck(), env=env, timeout=10, capture_output=True).returncode != 0:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "the worker never passed the image's health check"
            time.sleep(0.5)
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()["loops"]["turns"]["alive"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    output = proc.stdout.read() if proc.stdout else ""
    assert "imported casa-azul" not in output
