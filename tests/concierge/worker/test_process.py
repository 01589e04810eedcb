"""`serve`'s worker children on SQLite: WORKER_PROCESSES of them, each stored message waking the next one."""

import glob
import os

import pytest

from concierge.core.settings import get_settings
from concierge.worker import process
from concierge.worker.process import WorkerProcess, WorkerProcesses

NORMAL, BATCH = 0, 3  # SCHED_OTHER and SCHED_BATCH, as the kernel numbers them


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


def _thread_policies(pid: int) -> list[int]:
    """The scheduling policy of each of a process's threads, read from the kernel (field 41 of each task's stat)."""
    policies = []
    for path in glob.glob(f"/proc/{pid}/task/*/stat"):
        with open(path) as stat:
            policies.append(int(stat.read().rsplit(")", 1)[1].split()[38]))
    return policies


@pytest.mark.parametrize(("batch", "policy"), [("true", BATCH), ("false", NORMAL)])
def test_the_child_runs_under_the_configured_scheduling_policy(
    monkeypatch: pytest.MonkeyPatch, batch: str, policy: int
) -> None:
    """WORKER_PROCESS_BATCH takes effect in the real child: every thread of it is under SCHED_BATCH (or not)."""
    if not hasattr(os, "SCHED_BATCH"):
        pytest.skip("no SCHED_BATCH on this platform")
    monkeypatch.setenv("WORKER_PROCESS_BATCH", batch)
    get_settings.cache_clear()
    child = WorkerProcess(get_settings())
    child.start()
    try:
        assert child.wait_ready(timeout=120)
        assert child.proc is not None
        assert os.sched_getscheduler(child.proc.pid) == policy
        policies = _thread_policies(child.proc.pid)
        assert len(policies) > 1 and set(policies) == {policy}  # the threads started after it inherited it
    finally:
        child.stop(timeout=10)
    assert os.sched_getscheduler(0) == NORMAL  # ours untouched


def test_batch_scheduling_fails_safe_where_it_is_not_permitted(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_args: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "sched_setscheduler", refused)
    assert process.batch_scheduling() is False  # no exception: the worker starts under the normal policy


def test_batch_scheduling_fails_safe_where_there_is_no_such_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "SCHED_BATCH", raising=False)
    assert process.batch_scheduling() is False


def test_batch_scheduling_is_off_by_default() -> None:
    assert get_settings().worker_process_batch is False
