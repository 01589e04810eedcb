"""Database engine, the request session dependency and `session_scope()` for workers and commands."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from concierge.settings import get_settings


@lru_cache
def engine_for(url: str) -> Engine:
    """One engine per database URL; SQLite gets WAL and a busy timeout so web and worker threads share it."""
    settings = get_settings()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

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

        write_lock = threading.Lock()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Read-only sessions (a turn reading its context) must not block the webhook's writes.
            readonly = conn.get_execution_options().get("readonly", False)
            if not readonly:
                # Writers of this process queue here and wake the moment the lock is free; queued on SQLite's
                # busy handler instead they sleep in steps of up to 100 ms (the webhook's ack latency).
                # Other processes still meet SQLite's lock and busy_timeout.
                conn.info["write_lock"] = write_lock.acquire(timeout=30)
            try:
                conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
            except BaseException:
                _sqlite_end(conn)
                raise

        @event.listens_for(engine, "commit")
        @event.listens_for(engine, "rollback")
        def _sqlite_end(conn: Any) -> None:
            if conn.info.pop("write_lock", False):
                write_lock.release()

        return engine
    return create_engine(url, pool_size=settings.db_pool_size, max_overflow=settings.db_pool_size, pool_pre_ping=True)


def get_engine() -> Engine:
    """The engine for the configured `DATABASE_URL`."""
    return engine_for(get_settings().database_url)


@contextmanager
def session_scope(*, readonly: bool = False) -> Iterator[Session]:
    """One transaction: commit when the block succeeds, roll back when it raises."""
    engine = get_engine()
    if readonly:
        engine = engine.execution_options(readonly=True)
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def get_session() -> Iterator[Session]:
    """FastAPI dependency: one transaction per request."""
    with session_scope() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
