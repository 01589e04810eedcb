"""Metrics across processes: `serve` and its worker child write their samples to one directory /metrics reads.

prometheus_client picks its storage when it is first imported (PROMETHEUS_MULTIPROC_DIR set: memory-mapped files,
one per process), so `prepare()` runs before anything imports it. Without the directory, each process keeps its
samples in memory, which is right for a process that serves its own /metrics (`concierge worker --metrics-port`).
"""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry
    from prometheus_client.registry import Collector

ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare() -> Path:
    """In `serve`, before prometheus_client is imported: a fresh samples directory for it and its children.

    An operator's PROMETHEUS_MULTIPROC_DIR is used (emptied of the previous run's samples); otherwise a temporary
    directory, removed when `serve` exits. Children inherit it through the environment.
    """
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client was imported before the metrics directory was set")
    given = os.environ.get(ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):  # counters of a previous run would be added to this one's
            stale.unlink()
    else:
        path = Path(tempfile.mkdtemp(prefix="concierge-metrics-"))
        atexit.register(shutil.rmtree, path, ignore_errors=True)
        os.environ[ENV] = str(path)
    return path


def shared() -> bool:
    """Whether this process writes its samples to the shared directory."""
    return bool(os.environ.get(ENV))


def scrape_registry() -> "CollectorRegistry":
    """What /metrics reads: every process's samples (shared directory) or this process's registry."""
    from prometheus_client import REGISTRY, CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    if not shared():
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    for collector in _scrape_time_collectors:
        registry.register(collector)
    return registry


_scrape_time_collectors: list["Collector"] = []


def add_scrape_time_collector(collector: "Collector") -> None:
    """A collector that reads the database at scrape time, included in the shared directory's scrape too."""
    _scrape_time_collectors.append(collector)


def process_exited(pid: int) -> None:
    """A child that wrote samples has exited: its live gauges no longer count (its counters still do)."""
    if shared():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
