"""Group commit for the webhook's stores: one thread writes every message waiting for it in one transaction.

One transaction per webhook serialised the web process on the database's write lock (SQLite has one writer at a
time; every store also handed the GIL back and forth several times): at 200 senders most of a webhook's
acknowledgement was spent queueing for the lock (docs/benchmarks.md, fourth pass). Here a store that arrives while
a batch is being written waits for the next one, so the lock is taken once per batch, not once per message, and a
quiet server still writes a lone message at once (no waiting to fill a batch).

Nothing is acknowledged before its batch has committed. When a batch fails, its items are written again one by one,
so one bad message fails alone and its neighbours are still stored.
"""

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from concierge.core.db import session_scope
from concierge.core.observability import BATCH_SIZE

log = logging.getLogger(__name__)

MAX_BATCH = 200


@dataclass
class _Item:
    work: Callable[[Session], Any]
    key: str
    future: Future[Any] = field(default_factory=Future)


class GroupCommit:
    """`await run(work, key=…)`: `work(session)` runs in the next batch's transaction; its result once committed.

    Items of one batch run in `key` order (a stable sort, so one key's items keep their arrival order). Every web
    process then takes row locks in the same order, so two batches on PostgreSQL cannot deadlock on them.
    """

    def __init__(self, max_batch: int = MAX_BATCH) -> None:
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    async def run(self, work: Callable[[Session], Any], *, key: str = "") -> Any:
        """Queue `work` for the writer thread and wait until its transaction has committed (or failed)."""
        item = _Item(work, key)
        self._ensure_started()
        self._queue.put(item)
        return await asyncio.wrap_future(item.future)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop the thread (app shutdown)."""
        thread = self._thread
        if thread is None:
            return
        self._queue.put(None)
        thread.join(timeout)
        self._thread = None

    def _ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="group-commit", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = [first], False
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            # A request cancelled while queued (its client went away) is not stored: it was never acknowledged.
            running = [item for item in batch if item.future.set_running_or_notify_cancel()]
            if running:
                self._write(sorted(running, key=lambda i: i.key))
            if stop:
                return

    def _write(self, batch: list[_Item]) -> None:
        try:
            with session_scope() as session:
                results = [item.work(session) for item in batch]
        except Exception as exc:
            if len(batch) == 1:
                batch[0].future.set_exception(exc)
                return
            log.warning("group commit failed; writing its items one by one", extra={"items": len(batch)})
            for item in batch:
                self._write([item])
            return
        BATCH_SIZE.observe(len(batch))
        for item, result in zip(batch, results, strict=True):
            item.future.set_result(result)
