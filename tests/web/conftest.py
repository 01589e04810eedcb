"""The web tests' client: the app without its worker, so a test runs turns itself, in order, and nothing polls
the database while a page's queries are counted."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from concierge.app import create_app
from concierge.core.settings import get_settings


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    get_settings.cache_clear()
    with TestClient(create_app()) as c:
        yield c
