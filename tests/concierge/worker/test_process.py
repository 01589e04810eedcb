"""`serve`'s worker children on SQLite: WORKER_PROCESSES of them, each stored message waking the next one."""

from concierge.core.settings import get_settings
from concierge.worker.process import WorkerProcesses


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
