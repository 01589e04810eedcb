"""The engine's round trips on PostgreSQL: reads in autocommit, redoable commits without the WAL flush, a ping only
for a connection that rested (docs/benchmarks.md, "PostgreSQL with two workers")."""

import time
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text

from concierge.core import db
from concierge.core.db import get_engine, session_scope

INTRANS = 2  # psycopg's pq.TransactionStatus: IDLE 0, INTRANS 2


@pytest.fixture
def postgres() -> None:
    if get_engine().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (CONCIERGE_TEST_DATABASE_URL)")


def status(session: Any) -> int:
    """The connection's transaction status after a statement."""
    connection = session.connection()
    connection.exec_driver_sql("SELECT 1")
    return int(connection.connection.dbapi_connection.info.transaction_status)


def test_a_read_only_session_opens_no_transaction_and_a_writing_one_still_does(postgres: None) -> None:
    for _ in range(3):  # pooled connections go back and forth between the two
        with session_scope(readonly=True) as session:
            assert status(session) != INTRANS
        with session_scope() as session:
            assert status(session) == INTRANS


def test_a_redoable_transaction_alone_commits_without_waiting_for_the_flush(postgres: None) -> None:
    def setting(**options: bool) -> str:
        with session_scope(**options) as session:
            return str(session.connection().exec_driver_sql("SHOW synchronous_commit").scalar())

    assert setting(redoable=True) == "off"
    assert setting() == "on"  # SET LOCAL: the pooled connection is back to the server's setting
    assert setting(readonly=True) == "on"


def test_a_redoable_transaction_commits_like_any_other(tmp_path: Any) -> None:
    with session_scope(redoable=True) as session:
        session.connection().exec_driver_sql("CREATE TABLE IF NOT EXISTS redone (n INTEGER)")
        session.connection().exec_driver_sql("INSERT INTO redone (n) VALUES (1)")
    with session_scope(readonly=True) as session:
        assert session.connection().exec_driver_sql("SELECT count(*) FROM redone").scalar() >= 1
    with session_scope() as session:
        session.connection().exec_driver_sql("DROP TABLE redone")


def pinged(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, *, dead: bool = False) -> tuple[Any, list[Any]]:
    """A pooled engine with `_ping_after_rest(0.2 s)`; the list gets each connection pinged."""
    engine = create_engine(f"sqlite:///{tmp_path / 'ping.db'}", pool_size=1, max_overflow=0)
    pings: list[Any] = []

    def ping(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        if dead:
            raise ConnectionError("server closed the connection")
        return True

    monkeypatch.setattr(engine.dialect, "do_ping", ping)
    db._ping_after_rest(engine, 0.2)
    return engine, pings


def test_a_connection_back_in_use_at_once_is_not_pinged_one_that_rested_is(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, pings = pinged(tmp_path, monkeypatch)
    for _ in range(5):
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    assert pings == []  # opened, then back in use within the rest time
    time.sleep(0.25)
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert len(pings) == 1


def test_a_rested_connection_found_dead_is_replaced_before_use(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, pings = pinged(tmp_path, monkeypatch, dead=True)
    opened: list[Any] = []
    event.listen(engine.pool, "connect", lambda dbapi_connection, _record: opened.append(dbapi_connection))
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    time.sleep(0.25)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1  # the caller never sees the dead one
        assert connection.connection.dbapi_connection is opened[-1]
    assert len(opened) == 2 and pings == [opened[0]]
