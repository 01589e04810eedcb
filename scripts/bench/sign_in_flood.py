"""Sign-in flood: N simultaneous failed sign-ins against the real server, and how long a signed-in staff member's
console page takes meanwhile (issue "security hardening": 80 failed sign-ins made /console take 9.7 s).

    .venv/bin/python -m scripts.bench.sign_in_flood --attempts 80

Starts `concierge serve` on a fresh SQLite database with one property and one staff account, signs the staff
member in, then sends the failed sign-ins all at once (each from its own connection) while loading /console every
0.2 s. Prints the console's latency (p50, max) during the flood, the failed sign-ins' status codes and their
latency (p50, max), and the load average.
"""

import argparse
import asyncio
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from scripts.bench.traffic import percentile  # noqa: E402
from tests.e2e.server import serve_process  # noqa: E402

PASSWORD = "bench-password-1"


def _prepare(env: dict[str, str]) -> None:
    import subprocess

    for args, stdin in (
        (["db", "upgrade"], None),
        (["import", str(ROOT / "examples" / "casa-azul.yaml")], None),
        (["users", "add", "--email", "staff@example.com", "--role", "staff", "--property", "casa-azul"], PASSWORD),
    ):
        subprocess.run(
            [sys.executable, "-m", "concierge.cli", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            text=True,
            check=True,
            capture_output=True,
        )


async def _flood(base: str, attempts: int) -> tuple[list[float], list[int], list[float]]:
    # A new connection per request: a keep-alive connection the server closes while idle would end the run.
    staff = httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_keepalive_connections=0))
    token = re.search(r'name="csrf_token" value="([^"]+)"', (await staff.get("/login")).text)
    assert token
    data = {"email": "staff@example.com", "password": PASSWORD, "csrf_token": token.group(1), "next": "/console"}
    assert (await staff.post("/login", data=data)).status_code == 303

    async def attacker(i: int) -> tuple[int, float]:
        async with httpx.AsyncClient(base_url=base, timeout=120) as c:
            form = re.search(r'name="csrf_token" value="([^"]+)"', (await c.get("/login")).text)
            assert form
            started = time.monotonic()
            r = await c.post(
                "/login", data={"email": "staff@example.com", "password": f"guess-{i}", "csrf_token": form.group(1)}
            )
            return r.status_code, time.monotonic() - started

    console: list[float] = []
    done = asyncio.Event()

    async def watch() -> None:
        while not done.is_set():
            started = time.monotonic()
            assert (await staff.get("/console")).status_code == 200
            console.append(time.monotonic() - started)
            await asyncio.sleep(0.2)

    watcher = asyncio.create_task(watch())
    results = await asyncio.gather(*(attacker(i) for i in range(attempts)))
    done.set()
    await watcher
    await staff.aclose()
    return console, [r[0] for r in results], [r[1] for r in results]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=80)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.db'}",
            "LOG_LEVEL": "WARNING",
            "LOGIN_ADDRESS_FAILURES": "1000",  # the flood comes from one address here: measure the hashing
        }
        _prepare(env)
        process, base = serve_process(env)
        process.start()
        try:
            console, statuses, failed = asyncio.run(_flood(base, args.attempts))
        finally:
            process.stop()
    print(f"load average {os.getloadavg()[0]:.2f}; {args.attempts} simultaneous failed sign-ins")
    print(f"/console during the flood: p50 {percentile(console, 50):.3f} s, max {max(console):.3f} s, n={len(console)}")
    codes = sorted(set(statuses))
    print(f"failed sign-ins: statuses {codes}, p50 {percentile(failed, 50):.2f} s, max {max(failed):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
