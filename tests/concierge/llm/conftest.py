"""Fixtures of the model-path tests: the local OpenAI-compatible fake (a real HTTP server), one per test module."""

from collections.abc import Iterator

import pytest

from tests.fakes.openai_api import FakeModelAPI


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeModelAPI]:
    with FakeModelAPI() as api:
        yield api
