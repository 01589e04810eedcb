"""Shared fixtures: a real database built by `alembic upgrade head`, emptied between tests; the demo property; a
web client. Helpers that tests call are in factories.py."""

import logging
import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, SQLModel

import concierge.conversation.marks  # noqa: F401  (reply marks are emptied between tests too)
import concierge.ops.alerts.models  # noqa: F401  (alert state is emptied between tests too)
import concierge.users.audit  # noqa: F401  (the audit log is emptied between tests too)
import concierge.users.models  # noqa: F401  (users are emptied between tests too)
from alembic import command
from concierge.app import create_app
from concierge.core.db import alembic_config, engine_for, session_scope
from concierge.core.settings import get_settings
from knowledge.models import Property
from tests.factories import PG_URL_ENV, make_property


def reset_caches() -> None:
    """Settings and engines are cached per process; tests that change the environment call this."""
    get_settings.cache_clear()
    engine_for.cache_clear()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite in a temporary file, or the PostgreSQL named by CONCIERGE_TEST_DATABASE_URL (schema rebuilt)."""
    url = os.environ.get(PG_URL_ENV) or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    os.environ["DATABASE_URL"] = url
    reset_caches()
    if url.startswith("postgresql"):
        with engine_for(url).begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    command.upgrade(alembic_config(), "head")
    yield url
    engine_for(url).dispose()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[None]:
    """Every test starts from the default settings on the test database and no Twilio credentials."""
    for key in list(os.environ):
        if key.startswith(
            (
                "TWILIO_",
                "LLM_",
                "SIMULATOR_",
                "SENTRY_",
                "OUTBOX_",
                "WORKER_",
                "JOB_",
                "SMTP_",
                "NOTIFY_",
                "ALERT",
                "ESCALATION_",
                "OTEL_",
            )
        ):
            monkeypatch.delenv(key)
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def root_logging() -> Iterator[None]:
    """Commands run in-process (`cli.main`) point the root logger at the stream of the moment, pytest's capture of
    this test: put back what was there, or a thread or client that logs later writes into a closed stream."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(autouse=True)
def empty_tables(database_url: str) -> Iterator[None]:
    """Delete every row after each test (children first), keeping the migrated schema."""
    yield
    with engine_for(database_url).begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """A session in its own transaction, committed at the end of the test's use."""
    with session_scope() as s:
        yield s


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app in-process without its worker: a test runs turns itself, in order, and nothing polls the database
    while a page's queries are counted. (Modules that need the worker running define their own `client`.)"""
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def prop(database_url: str) -> Property:
    """The standard test property, imported."""
    return make_property()
