"""Database engine, the request session dependencies, `session_scope()` for workers and commands, the migrations."""

import fcntl
import importlib.resources
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from fastapi import Depends
from sqlalchemy import Column, Table, event, exc, inspect
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm.base import instance_state
from sqlmodel import Session, create_engine

from concierge.core.settings import get_settings

if TYPE_CHECKING:
    from alembic.config import Config

    from concierge.core.settings import Settings

ModelT = TypeVar("ModelT")
WRITE_LOCK_SECONDS = 30.0
ROOT = Path(__file__).resolve().parents[2]
# `concierge db upgrade` on PostgreSQL: one migrating process at a time (containers may start together).
MIGRATION_LOCK_KEY = 0x636F6E63  # "conc"
# A pooled PostgreSQL connection back in use after resting this long is pinged first (see `_ping_after_rest`).
PING_AFTER_IDLE_SECONDS = 1.0


@lru_cache
def engine_for(url: str) -> Engine:
    """One engine per database URL; SQLite gets WAL and a busy timeout so web and worker threads share it."""
    settings = get_settings()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **_pool_limits(settings))

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let pysqlite stay out of transaction handling; we issue BEGIN IMMEDIATE ourselves so that
            # two writers queue on the lock instead of failing on an upgrade from a read lock.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        writers = _Writers(url)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Read-only sessions (a turn reading its context) must not block the webhook's writes.
            readonly = conn.get_execution_options().get("readonly", False)
            if not readonly:
                writers.acquire()
                conn.info["writer"] = True
            try:
                conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
            except BaseException:
                _sqlite_rollback(conn)
                raise

        @event.listens_for(engine, "commit")
        def _sqlite_commit(conn: Any) -> None:
            # Commit here, before the writer lock is released (this event comes before SQLAlchemy's own commit,
            # which then finds nothing to do): the next writer must not meet SQLite's lock still taken.
            try:  # a failing COMMIT raises from here; the pool rolls the connection back when it is returned
                conn.connection.dbapi_connection.commit()
            finally:
                if conn.info.pop("writer", False):
                    writers.release()

        @event.listens_for(engine, "rollback")
        def _sqlite_rollback(conn: Any) -> None:
            try:
                conn.connection.dbapi_connection.rollback()
            finally:
                if conn.info.pop("writer", False):
                    writers.release()

        return engine
    engine = create_engine(url, **_pool_limits(settings))
    _ping_after_rest(engine, PING_AFTER_IDLE_SECONDS)
    return engine


def _ping_after_rest(engine: Engine, seconds: float) -> None:
    """Ping a pooled connection before use only when it rested in the pool at least `seconds` (SQLAlchemy's
    `pool_pre_ping` pings at every checkout).

    A worker checks out a connection several times per turn and per delivery: every ping was a round trip of its
    own, a third of a message's round trips on PostgreSQL (docs/benchmarks.md, "PostgreSQL with two workers"). A
    connection that was in use a moment ago is as alive as the ping would find it; one that rested (an idle night,
    a database restart) is pinged, and a dead one is replaced, with every connection older than it, before use.
    """

    @event.listens_for(engine.pool, "connect")
    def _fresh(_dbapi_connection: Any, record: Any) -> None:
        record.info["rests_since"] = None  # just opened: alive

    @event.listens_for(engine.pool, "checkin")
    def _rests(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["rests_since"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        rests_since = record.info.get("rests_since")
        if rests_since is None or time.monotonic() - rests_since < seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool replaces it (and every older connection), then hands out the new one
            raise exc.InvalidatePoolError("pooled connection found dead after resting") from error


def _pool_limits(settings: "Settings") -> dict[str, int]:
    """DB_POOL_SIZE connections kept open, and room for every worker thread (turns and deliveries run at once)."""
    threads = settings.worker_concurrency + settings.sender_concurrency
    return {"pool_size": settings.db_pool_size, "max_overflow": settings.db_pool_size + threads}


class _Writers:
    """One writer at a time on a SQLite file: this process's threads queue on a lock, processes on a flock().

    Both wake the moment the writer before them is done. Left to SQLite's busy handler, a waiting writer sleeps
    in steps (1, 2, 5, 10 … 100 ms) and loses the lock to whoever asks in between: the web process's stores lost
    to the worker's back-to-back transactions for up to half a second (docs/benchmarks.md, fourth pass). The
    kernel drops a dead process's flock, so a killed worker never leaves the lock taken.
    """

    def __init__(self, url: str) -> None:
        self.lock = threading.Lock()
        database = make_url(url).database
        in_memory = not database or database == ":memory:"
        # Beside the database file, open for the engine's lifetime (other processes lock the same file).
        self.file = None if in_memory else open(f"{database}-writer.lock", "a+b")  # noqa: SIM115

    def acquire(self) -> None:
        """Wait for this process's other writers (at most WRITE_LOCK_SECONDS), then for other processes'."""
        if not self.lock.acquire(timeout=WRITE_LOCK_SECONDS):
            raise TimeoutError(f"no database write lock within {WRITE_LOCK_SECONDS:g} s")
        if self.file is not None:
            try:
                fcntl.flock(self.file, fcntl.LOCK_EX)
            except BaseException:
                self.lock.release()
                raise

    def release(self) -> None:
        if self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_UN)
        self.lock.release()


def get_engine() -> Engine:
    """The engine for the configured `DATABASE_URL`."""
    return engine_for(get_settings().database_url)


@contextmanager
def session_scope(*, readonly: bool = False, redoable: bool = False) -> Iterator[Session]:
    """One transaction: commit when the block succeeds, roll back when it raises.

    `redoable`: losing this transaction in a crash of the database server only means its work is done again, and
    nobody outside was told of it before a later durable commit (which makes every earlier one durable too): a
    turn's claim and its recorded result, which the sender's durable claim precedes every delivery of. On
    PostgreSQL its commit then does not wait for the WAL to reach the disk (`synchronous_commit` off for this
    transaction only): two flushes per turn, each a few milliseconds in which the turn's CPU slot stood idle
    (docs/benchmarks.md, "PostgreSQL with two workers"). A crash still never leaves half a transaction.
    """
    engine = _readonly(get_engine()) if readonly else get_engine()
    with Session(engine, expire_on_commit=False) as session:
        try:
            if redoable and engine.dialect.name == "postgresql":
                session.connection().exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def connection_scope(*, readonly: bool = False) -> Iterator[Connection]:
    """One transaction on a Core connection, no ORM session: commit when the block succeeds, roll back when it raises.

    For work that is a few Core statements (the sender's due read, claim and mark): an ORM session around them cost
    about a third of their CPU (docs/benchmarks.md, "Concurrent turns", eighth pass). Same locking as a session.
    """
    engine = _readonly(get_engine()) if readonly else get_engine()
    with engine.begin() as connection:
        yield connection


@lru_cache(maxsize=8)  # one per engine; tests make a new engine per database
def _readonly(engine: Engine) -> Engine:
    """The engine's read-only variant, made once (the workers open one read session per poll, turn and delivery).

    On PostgreSQL its statements run in autocommit: under READ COMMITTED each statement reads its own snapshot
    anyway, so a transaction around reads adds only its BEGIN and COMMIT round trips (two of a turn's read's
    five), and the ROLLBACK that ends a turn's read before its model call made psycopg drop every prepared
    statement of the connection (docs/benchmarks.md, "PostgreSQL with two workers").
    """
    if engine.dialect.name == "postgresql":
        return engine.execution_options(readonly=True, isolation_level="AUTOCOMMIT")
    return engine.execution_options(readonly=True)


def get_session() -> Iterator[Session]:
    """FastAPI dependency: one transaction per request."""
    with session_scope() as session:
        yield session


def get_readonly_session() -> Iterator[Session]:
    """FastAPI dependency for pages that only read: a read-only transaction (on SQLite, no write lock)."""
    with session_scope(readonly=True) as session:
        yield session


# Committed (or rolled back) when the route returns, before the response is sent: a webhook's acknowledgement means
# its write is stored, and the page a form redirects to shows what the form changed.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
# Ended when the route returns, before the response is sent: a page, or a stream that must hold no transaction.
ReadSessionDep = Annotated[Session, Depends(get_readonly_session, scope="function")]


def migrations_dir() -> Path:
    """The migrations: inside the installed package (a wheel: concierge/migrations), else the repository's alembic/."""
    packaged = Path(str(importlib.resources.files("concierge") / "migrations"))
    return packaged if (packaged / "env.py").is_file() else ROOT / "alembic"


def alembic_config() -> "Config":
    """Alembic configuration pointing at the migrations shipped with the project (no alembic.ini needed)."""
    from alembic.config import Config  # only `db upgrade` and the readiness check need alembic

    ini = ROOT / "alembic.ini"
    config = Config(str(ini)) if ini.is_file() else Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


@contextmanager
def migration_lock() -> Iterator[None]:
    """On PostgreSQL, hold a session advisory lock while migrating: concurrent upgrades run one after the other."""
    engine = get_engine()
    if engine.dialect.name != "postgresql":
        yield  # SQLite: one file, written by one process (the write lock serialises the rest)
        return
    from sqlalchemy import text

    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        conn.commit()  # the lock belongs to the session, not the transaction: nothing stays open meanwhile
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
            conn.commit()


class Detached(Generic[ModelT]):
    """A model's objects built from its columns in a Core row, as a session would load them and then be closed:
    detached, every column loaded. For reads on a hot path (a turn's context): the ORM's loading machinery cost
    about as much as the statement (docs/benchmarks.md, eighth pass); the objects are the same model instances, only
    never in a session (a change to one is not written; select its columns with `columns`)."""

    def __init__(self, model: type[ModelT]) -> None:
        self.mapper = inspect(model)
        self.table: Table = self.mapper.local_table
        attributes = list(self.mapper.column_attrs)
        self.keys = [attribute.key for attribute in attributes]
        self.columns: list[Column[Any]] = [attribute.columns[0] for attribute in attributes]
        self._key_at = [self.columns.index(column) for column in self.mapper.primary_key]

    def loaded(self, values: Any) -> bool:
        """Whether these column values hold a row (an outer join's missing row has no primary key)."""
        return all(values[i] is not None for i in self._key_at)

    def build(self, values: Any) -> ModelT:
        """The object of these column values, in `columns`' order."""
        obj: ModelT = self.mapper.class_manager.new_instance()
        obj.__dict__.update(zip(self.keys, values, strict=True))
        instance_state(obj).key = self.mapper.identity_key_from_primary_key([values[i] for i in self._key_at])
        return obj
