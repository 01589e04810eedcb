"""Count the SQL statements a block of code sends: the N+1 guard for pages.

    with count_queries() as queries:
        client.get("/simulator")
    assert len(queries) <= 6, queries.statements

`assert_constant_queries(render, grow)` renders a page, adds data with `grow()`, renders it again and fails
when the second render sends more statements than the first (a query per row is an N+1). Disable the
in-process worker (WORKER_IN_PROCESS=false) while counting, or its polls are counted too.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from concierge.core.db import get_engine

# Transaction control and connection setup, not queries a page chose to make.
_IGNORED = ("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


@dataclass
class QueryLog:
    """The statements seen, in order."""

    statements: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(engine: Engine | None = None) -> Iterator[QueryLog]:
    """Record every statement sent through `engine` (default: the app's) while the block runs, on any thread."""
    engine = engine or get_engine()
    log = QueryLog()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(_IGNORED):
            log.statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", record)


def assert_constant_queries(render: Callable[[], object], grow: Callable[[], object]) -> int:
    """Fail if `render()` sends more statements after `grow()` added rows; returns the count."""
    with count_queries() as before:
        render()
    grow()
    with count_queries() as after:
        render()
    extra = after.statements[len(before.statements) :] if len(after) > len(before) else []
    assert len(after) <= len(before), f"{len(before)} queries before, {len(after)} after more data (N+1): {extra}"
    return len(after)
