"""Loaded by every Python process started with this folder on PYTHONPATH (`load.py --cprofile DIR`): with
CPROFILE_DIR set, every thread of the process runs under its own cProfile (timed in that thread's CPU time, so waits do
not count), and at exit all of them are written to
CPROFILE_DIR/<pid>-<command>.prof (one file per process, threads merged). Benchmarks only: cProfile roughly doubles
the CPU time, so read the shares, not the times."""

import atexit
import cProfile
import os
import pstats
import signal
import sys
import threading
import time

_DIR = os.environ.get("CPROFILE_DIR")
if _DIR:
    _profiles: list[cProfile.Profile] = []
    _lock = threading.Lock()
    _run = threading.Thread.run

    def _profiled_run(self: threading.Thread) -> None:
        profile = cProfile.Profile(time.thread_time)
        with _lock:
            _profiles.append(profile)
        profile.enable()
        try:
            _run(self)
        finally:
            profile.disable()

    threading.Thread.run = _profiled_run  # type: ignore[method-assign]
    _main = cProfile.Profile(time.thread_time)
    _profiles.append(_main)
    _main.enable()

    def _dump() -> None:
        _main.disable()
        command = "-".join(arg for arg in sys.argv[1:3] if not arg.startswith("-"))[:40] or "python"
        with _lock:
            stats = None
            for profile in _profiles:
                try:
                    stats = pstats.Stats(profile) if stats is None else stats.add(profile) or stats
                except TypeError:  # a profile that never recorded anything
                    continue
        if stats is not None:
            stats.dump_stats(os.path.join(_DIR, f"{os.getpid()}-{command}.prof"))

    atexit.register(_dump)

    def _exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)  # atexit runs, and with it _dump

    # uvicorn handles SIGTERM itself, then restores this handler and raises the signal again to exit: without a
    # handler of ours the default one would end `serve` without running atexit.
    signal.signal(signal.SIGTERM, _exit)
