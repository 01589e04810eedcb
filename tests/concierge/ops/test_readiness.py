"""/readyz says 503 when the database answers reads but refuses writes, as every webhook and sign-in then fails."""

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from concierge.app import create_app
from concierge.core.db import get_engine
from concierge.core.settings import get_settings

WRITES = {sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE}


@pytest.fixture
def read_only_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every new connection of the engine may read but not write (as with an immutable SQLite file: transactions
    begin, reads answer, every INSERT, UPDATE or DELETE is refused)."""
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    get_settings.cache_clear()
    engine = get_engine()

    def read_only(dbapi_conn: Any, _record: Any) -> None:
        if engine.dialect.name == "sqlite":
            dbapi_conn.set_authorizer(lambda action, *_args: 1 if action in WRITES else 0)  # 1: SQLITE_DENY
        else:
            cursor = dbapi_conn.cursor()
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_conn.commit()
            cursor.close()

    engine.dispose()
    event.listen(engine, "connect", read_only)
    try:
        yield
    finally:
        event.remove(engine, "connect", read_only)
        engine.dispose()


def test_readyz_is_503_when_the_database_refuses_writes(read_only_database: None) -> None:
    with TestClient(create_app()) as client:
        response = client.get("/readyz")
    assert response.status_code == 503, response.json()
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is True  # it still answers reads
    assert checks["writable"]["ok"] is False


def test_readyz_checks_the_write_when_all_is_well(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    get_settings.cache_clear()
    with TestClient(create_app()) as client:
        response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["checks"]["writable"] == {"ok": True}
