"""Claim-and-backoff for the database queues (turn jobs, outbox replies, escalation notifications).

A queue is a table whose rows carry a status, an attempt count and a due time. A worker claims the next due row
with one statement (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite the write lock serialises claims),
acts outside that transaction, then marks the row done, due again after a backoff, or failed. An attempt that
never finished (its worker died) is claimable again once its lease runs out. Each queue keeps its own ordering
rule, its own columns (described by a `Queue`) and its own idea of what a final failure means.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Generic, TypeVar

from sqlalchemy import ClauseElement, ColumnElement, Connection, Row, bindparam, func, literal_column, or_, update
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from concierge.core.backoff import Backoff
from concierge.core.errors import Conflict

RowT = TypeVar("RowT", bound=SQLModel)
ERROR_CHARS = 500


class LeaseLost(Conflict):
    """The row's lease expired and another worker took it; this worker's result is discarded."""


@dataclass(frozen=True)
class Queue(Generic[RowT]):
    """How one table is used as a queue: its states, and the names of the columns that carry them."""

    table: type[RowT]
    pending: str  # status: waiting for its first or next attempt
    failed: str  # status: given up for good
    due_at: str  # not claimed before this time
    error: str  # the last failed attempt's error
    claimed: str | None = None  # status while an attempt runs; None: a claim moves `due_at` past the lease instead
    lease_until: str | None = None  # when the running attempt's lease runs out
    claimed_at: str | None = None  # when the running attempt started (its lease runs out `lease_seconds` later)
    lease_token: str | None = None  # the claimer's token: marks by a worker that lost the lease are refused
    in_order_of: str | None = None  # rows sharing this column are claimed one at a time, oldest first
    status: str = "status"
    attempts: str = "attempts"  # how many attempts were claimed

    @property
    def unfinished(self) -> list[str]:
        """The statuses of rows still in the queue (the predicate of its partial indexes, migration 0015)."""
        return [self.pending] if self.claimed is None else [self.pending, self.claimed]

    def column(self, name: str, table: Any = None) -> Any:
        """The column `name` of the queue's table (or of an alias of it)."""
        return col(getattr(self.table if table is None else table, name))


def due(queue: Queue[RowT], *, now: datetime, lease_seconds: float = 0.0) -> SelectOfScalar[RowT]:
    """The oldest due row: pending and due, or claimed with an expired lease; never behind an earlier one in order."""
    return _due(queue).params(_due_values(queue, now=now, lease_seconds=lease_seconds))


@cache
def _due(queue: Queue[RowT]) -> SelectOfScalar[RowT]:
    """`due`'s statement, built once per queue with its times as bound parameters: building it costs milliseconds
    (every worker poll and claim used to), binding values to it microseconds."""
    return select(queue.table).where(*due_criteria(queue, queue.table)).order_by(queue.column("id")).limit(1)


def due_criteria(queue: Queue[RowT], table: Any) -> list[ColumnElement[bool]]:
    """Where a row of `table` (the queue's table or an alias of it) is due, with `now` a bound parameter."""
    status = queue.column(queue.status, table)
    condition: ColumnElement[bool] = (status == queue.pending) & (queue.column(queue.due_at, table) <= bindparam("now"))
    if queue.claimed is not None:
        # A worker that died mid-attempt leaves an expired lease: its row is claimable again, first in line.
        if queue.lease_until is not None:
            expired = queue.column(queue.lease_until, table) < bindparam("now")
        else:
            assert queue.claimed_at is not None, "a queue with a claimed status needs a lease column"
            expired = queue.column(queue.claimed_at, table) < bindparam("claimed_before")
        condition = or_(condition, (status == queue.claimed) & expired)
    # The same predicate as the queue's partial index, as a term of its own: the index is then used, and a claim
    # reads the unfinished rows only instead of walking every finished one in id order.
    criteria = [unfinished(queue, table), condition]
    if queue.in_order_of is not None:
        criteria.append(queue.column("id", table) == _first_unfinished(queue, queue.in_order_of, table))
    return criteria


def _first_unfinished(queue: Queue[RowT], in_order_of: str, table: Any) -> Any:
    """The oldest unfinished row's id among the rows sharing `table`'s `in_order_of` value: a row is claimable only
    when it is that one (no earlier row of its conversation pending or running).

    A correlated scalar subquery, one probe of the partial index (conversation_id, id) per candidate on both
    databases. It was `NOT EXISTS (an earlier unfinished row)`, which PostgreSQL turns into an anti-join: in a burst
    (statistics from before the backlog) it planned that join as a scan of every unfinished row per candidate,
    quadratic in the backlog: 24 ms per claim on average and 135 ms at 470 queued turns, 86 ms against 1.3 ms for
    this form on the same 600 rows (docs/benchmarks.md, "PostgreSQL with two workers").
    """
    earlier = aliased(queue.table)
    return (
        select(func.min(queue.column("id", earlier)))
        .where(
            queue.column(in_order_of, earlier) == queue.column(in_order_of, table),
            unfinished(queue, earlier),
        )
        .scalar_subquery()
    )


def _due_values(queue: Queue[RowT], *, now: datetime, lease_seconds: float) -> dict[str, datetime]:
    values = {"now": now}
    if queue.claimed is not None and queue.lease_until is None:
        values["claimed_before"] = now - timedelta(seconds=lease_seconds)
    return values


def unfinished(queue: Queue[RowT], table: Any = None) -> ColumnElement[bool]:
    """`status IN (…unfinished…)` with the statuses written as literals, exactly as in the partial index's WHERE."""
    status = queue.column(queue.status, table)
    values: list[ColumnElement[str]] = [literal_column(f"'{s}'") for s in queue.unfinished]
    condition: ColumnElement[bool] = status == values[0] if len(values) == 1 else status.in_(values)
    return condition


def connection_of(db: Session | Connection) -> Connection:
    """A Core connection itself, or a session's (its pending changes flushed first, as the ORM's execute does)."""
    if isinstance(db, Connection):
        return db
    db.flush()  # a no-op in a clean session
    return db.connection()


def is_due(db: Session | Connection, queue: Queue[RowT], *, now: datetime, lease_seconds: float = 0.0) -> bool:
    """Whether `claim` would find a row (a read: on SQLite it does not take the write lock)."""
    values = _due_values(queue, now=now, lease_seconds=lease_seconds)
    return connection_of(db).execute(_due_id(queue), values).first() is not None  # Core: no ORM entity to load


@cache
def _due_id(queue: Queue[RowT]) -> Any:
    """`is_due`'s statement: the due row's id only. A worker asks after every turn and delivery; loading the whole
    row as an ORM object to throw it away cost more than the query (docs/benchmarks.md, "Concurrent turns", fifth
    pass)."""
    table = queue.table
    return select(queue.column("id")).where(*due_criteria(queue, table)).order_by(queue.column("id")).limit(1)


def _lease_values(queue: Queue[RowT], *, now: datetime, lease_seconds: float) -> dict[str, Any]:
    """What a claim writes besides the attempt count: the claimed status (or a later due time), the lease."""
    values: dict[str, Any] = {}
    if queue.claimed is not None:
        values[queue.status] = queue.claimed
    else:
        values[queue.due_at] = now + timedelta(seconds=lease_seconds)
    if queue.lease_token is not None:
        values[queue.lease_token] = uuid.uuid4().hex
    if queue.lease_until is not None:
        values[queue.lease_until] = now + timedelta(seconds=lease_seconds)
    if queue.claimed_at is not None:
        values[queue.claimed_at] = now
    return values


def claim(session: Session, queue: Queue[RowT], *, now: datetime, lease_seconds: float) -> RowT | None:
    """Claim the oldest due row for one attempt, in one statement; None when nothing is due."""
    params = _claim_params(queue, now=now, lease_seconds=lease_seconds)
    row: RowT | None = session.execute(_claim(queue), params).scalars().first()
    return row


def claim_columns(session: Session, queue: Queue[RowT], *, now: datetime, lease_seconds: float) -> Row[Any] | None:
    """`claim`, the row coming back as plain columns: no ORM object is built (a turn's claim needs four ids)."""
    params = _claim_params(queue, now=now, lease_seconds=lease_seconds)
    return session.connection().execute(_claim(queue), params).first()


def _claim_params(queue: Queue[RowT], *, now: datetime, lease_seconds: float) -> dict[str, Any]:
    lease = _lease_values(queue, now=now, lease_seconds=lease_seconds)
    return {**_due_values(queue, now=now, lease_seconds=lease_seconds), **{f"lease_{k}": v for k, v in lease.items()}}


@cache
def _claim(queue: Queue[RowT]) -> Any:
    """`claim`'s statement, built once per queue: the oldest due row (locked, others skipped, on PostgreSQL) gets
    one more attempt and its lease, and comes back, in one round trip."""
    due_row = aliased(queue.table)  # not the updated table itself, which the subquery would be correlated with
    oldest_due = (
        select(queue.column("id", due_row))
        .where(*due_criteria(queue, due_row))
        .order_by(queue.column("id", due_row))
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    leased = _lease_values(queue, now=datetime.now(), lease_seconds=0.0)  # for its columns
    values: dict[str, Any] = {queue.attempts: queue.column(queue.attempts) + 1}
    values.update({name: bindparam(f"lease_{name}", type_=queue.column(name).type) for name in leased})
    return (
        update(queue.table)
        .where(queue.column("id") == oldest_due)
        .values(values)
        .returning(queue.table)
        .execution_options(synchronize_session=False)
    )


def mark(
    session: Session, queue: Queue[RowT], *, row_id: int, values: Mapping[str, Any], lease_token: str | None = None
) -> bool:
    """Update a claimed row in one statement; with `lease_token`, only while this worker still holds the lease."""
    if any(isinstance(value, ClauseElement) for value in values.values()):  # an expression: a statement of its own
        statement = update(queue.table).where(queue.column("id") == row_id)
        if lease_token is not None:
            assert queue.lease_token is not None and queue.claimed is not None
            statement = statement.where(
                queue.column(queue.lease_token) == lease_token, queue.column(queue.status) == queue.claimed
            )
        result = session.exec(statement.values(dict(values)))
        return bool(result.rowcount == 1)
    params = {"row_to_mark": row_id, **{f"set_{name}": value for name, value in values.items()}}
    if lease_token is not None:
        params["held_token"] = lease_token
    if session.autoflush:  # the session's pending changes first, as before an ORM statement
        session.flush()
    result = session.exec(_mark(queue, tuple(values), lease_token is not None), params=params)
    if result.rowcount != 1:
        return False
    # The row's object, if this session holds it, shows the new values (an update built anew synchronizes it).
    row = session.identity_map.get(session.identity_key(queue.table, row_id))
    for name, value in values.items() if row is not None else ():
        set_committed_value(row, name, value)
    return True


@cache
def _mark(queue: Queue[RowT], names: tuple[str, ...], leased: bool) -> Any:
    """`mark`'s statement for these columns, built once (a job's finish runs it every turn) with bound values: a
    plain update of the table (the ORM's bulk update costs more; `mark` synchronizes the session's object)."""
    table = queue.table.__table__  # type: ignore[attr-defined]
    statement = update(table).where(table.c.id == bindparam("row_to_mark"))
    if leased:
        assert queue.lease_token is not None and queue.claimed is not None
        statement = statement.where(
            table.c[queue.lease_token] == bindparam("held_token"), table.c[queue.status] == queue.claimed
        )
    return statement.values({name: bindparam(f"set_{name}", type_=table.c[name].type) for name in names})


def finish(
    session: Session,
    queue: Queue[RowT],
    *,
    row_id: int,
    status: str | None,
    values: Mapping[str, Any] | None = None,
    lease_token: str | None = None,
) -> None:
    """Give a claimed row its final (or next) status; LeaseLost if this worker no longer holds its lease."""
    values = {**({} if status is None else {queue.status: status}), **(values or {})}
    if not mark(session, queue, row_id=row_id, values=values, lease_token=lease_token):
        raise LeaseLost(f"{queue.table.__tablename__} {row_id} is no longer leased by this worker")


def fail(
    session: Session,
    queue: Queue[RowT],
    *,
    row_id: int,
    error: str | None,
    values: Mapping[str, Any] | None = None,
    lease_token: str | None = None,
) -> None:
    """Give up on a claimed row for good, keeping the error."""
    failed = {queue.error: _error(error), **(values or {})}
    finish(session, queue, row_id=row_id, status=queue.failed, values=failed, lease_token=lease_token)


def retry_or_fail(
    session: Session,
    queue: Queue[RowT],
    *,
    row_id: int,
    attempts: int,
    max_attempts: int | None,
    error: str | None,
    now: datetime,
    backoff: Backoff,
    retry_after: float | str | None = None,
    min_delay: float = 0.0,
    on_retry: Mapping[str, Any] | None = None,
    on_fail: Mapping[str, Any] | None = None,
    lease_token: str | None = None,
    give_up_at: datetime | None = None,
) -> bool:
    """After a failed attempt: due again after a backoff while attempts and time remain (True), else failed.

    The wait is `backoff`'s for this attempt, never shorter than `retry_after` (the server's) or `min_delay`.
    With `give_up_at`, the last retry is due at that moment and an attempt failing from then on is final.
    """
    out_of_attempts = max_attempts is not None and attempts >= max_attempts
    if out_of_attempts or (give_up_at is not None and now >= give_up_at):
        fail(session, queue, row_id=row_id, error=error, values=on_fail, lease_token=lease_token)
        return False
    wait = max(backoff.delay(attempts - 1, retry_after=retry_after), min_delay)
    due_at = now + timedelta(seconds=wait)
    if give_up_at is not None:
        due_at = min(due_at, give_up_at)  # one last attempt at the deadline, not a wait that ends past it
    values = {queue.error: _error(error), queue.due_at: due_at, **(on_retry or {})}
    # Without a claimed status the row is still pending: leave the status alone (a late worker never undoes "sent").
    status = queue.pending if queue.claimed is not None else None
    finish(session, queue, row_id=row_id, status=status, values=values, lease_token=lease_token)
    return True


def _error(error: str | None) -> str | None:
    return None if error is None else error[:ERROR_CHARS]
