"""The console's translator against a real-socket fake provider: its late calls end with the app that made them."""

import logging
import time

import pytest

from concierge.core.settings import get_settings
from concierge.llm.translate import Request, Translator
from tests.fakes.openai_api import FakeModelAPI


def test_close_waits_for_a_late_call_so_none_outlives_the_app(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="concierge.llm.translate")
    with FakeModelAPI() as fake:
        fake.hang(5)
        monkeypatch.setenv("LLM_PROVIDERS", "openai:gpt-test")
        monkeypatch.setenv("OPENAI_BASE_URL", fake.openai_base_url)
        monkeypatch.setenv("CONSOLE_TRANSLATE_TIMEOUT_SECONDS", "0.5")
        get_settings.cache_clear()
        translator = Translator.from_settings(get_settings())
        assert translator is not None
        started = time.monotonic()
        assert translator.translate_many([Request(key=1, text="hola", source="es", target="en")]) == {}
        translator.close()  # the page has its answer; the call it gave up on is still waiting on the provider
        closed = time.monotonic() - started
        # The call ended (its failure logged) before close returned, bounded by its own timeout, not the
        # provider's 5 s: a thread that outlived the app logged into a closed stream.
        assert "translation call failed" in [r.getMessage() for r in caplog.records]
        assert closed < 3
