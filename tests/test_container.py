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


def test_dockerfile_runs_as_non_root_with_a_healthcheck() -> None:
    text = dockerfile()
    assert re.search(r"^FROM python:3\.1\d-slim$", text, re.M)
    assert re.search(r"^USER (?!root)\w+", text, re.M)
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert 'ENTRYPOINT ["docker-entrypoint.sh"]' in text
    for copied in re.findall(r"^COPY (?:--\S+ )?(.+) \S+$", text, re.M):
        for source in copied.split():
            assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"


def test_entrypoint_migrates_imports_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'container.db'}",
        "IMPORT_PACK": str(ROOT / "examples" / "casa-azul.yaml"),
        "PORT": str(port),
    }
    proc = subprocess.Popen(
        ["sh", str(ROOT / "scripts" / "docker-entrypoint.sh")],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
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
        healthcheck = re.search(r'CMD (python -c ".*")$', dockerfile(), re.M)
        assert healthcheck is not None
        probe = subprocess.run(shlex.split(healthcheck.group(1)), env=env, timeout=10)
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
