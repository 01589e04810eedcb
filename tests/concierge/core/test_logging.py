"""JSON log lines: one object per line, without uvicorn's ANSI copy of the message or the Twilio client's
request lines."""

import json
import logging

import pytest

from concierge.core.observability import JsonFormatter, configure_logging
from concierge.core.settings import Settings


def test_a_json_line_never_carries_the_ansi_colour_copy() -> None:
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "Uvicorn running on %s", ("x",), None)
    record.color_message = "Uvicorn running on \x1b[1mx\x1b[0m"
    record.port = 8000
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert data["message"] == "Uvicorn running on x" and data["port"] == 8000
    assert "color_message" not in data and "\x1b" not in line


def test_the_twilio_client_logs_warnings_only(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))  # restored after the test
    monkeypatch.setattr(root, "level", root.level)
    configure_logging(Settings(log_level="DEBUG"))
    twilio = logging.getLogger("twilio.http_client")
    assert not twilio.isEnabledFor(logging.INFO)  # "-- BEGIN Twilio API Request --", headers, the recipient
    assert twilio.isEnabledFor(logging.WARNING)
    assert logging.getLogger("concierge.worker").isEnabledFor(logging.DEBUG)
