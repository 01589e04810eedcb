"""`serve`'s worker children on SQLite: WORKER_PROCESSES of them, each stored message waking the next one."""

import os

import pytest

from concierge.core.settings import get_settings
from concierge.worker.process import WorkerProcess, WorkerProcesses


def test_stored_messages_wake_the_children_in_turn() -> None:
    workers = WorkerProcesses(get_settings(), 3)
    woken: list[int] = []
    for index, child in enumerate(workers.children):
        child.wake = lambda index=index: woken.append(index)  # type: ignore[method-assign]
    for _ in range(7):
        workers.wake()
    assert woken == [0, 1, 2, 0, 1, 2, 0]  # a burst is shared out, not left to one child and the others' polls


def test_at_least_one_child() -> None:
    assert len(WorkerProcesses(get_settings(), 0).children) == 1


def test_the_child_runs_at_the_configured_lower_cpu_priority(monkeypatch: pytest.MonkeyPatch) -> None:
    """WORKER_PROCESS_NICE takes effect in the real child: its niceness, read from the kernel, is ours plus it."""
    monkeypatch.setenv("WORKER_PROCESS_NICE", "7")
    get_settings.cache_clear()
    child = WorkerProcess(get_settings())
    child.start()
    try:
        assert child.wait_ready(timeout=120)  # the niceness is set before the child loads its models
        assert child.proc is not None
        assert os.getpriority(os.PRIO_PROCESS, child.proc.pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 7)
        with open(f"/proc/{child.proc.pid}/stat") as stat:  # field 19 of /proc/<pid>/stat is the nice value
            assert int(stat.read().rsplit(")", 1)[1].split()[16]) == min(19, os.nice(0) + 7)
    finally:
        child.stop(timeout=10)
    assert child.proc.poll() is not None  # stopped with the test


def test_the_child_runs_at_nice_10_by_default() -> None:
    assert get_settings().worker_process_nice == 10
