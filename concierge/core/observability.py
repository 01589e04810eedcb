"""Structured logs, Prometheus metrics and Sentry, all without guest text, phone numbers or secrets."""

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import Counter, Histogram

from concierge.core.settings import Settings, reveal

MESSAGES_IN = Counter("concierge_messages_in_total", "Inbound guest messages stored", ["channel"])
MESSAGES_DUPLICATE = Counter("concierge_messages_duplicate_total", "Retried webhooks (MessageSid seen before)")
WEBHOOK_REJECTED = Counter("concierge_webhook_rejected_total", "Webhooks refused", ["reason"])
ACK_SECONDS = Histogram(
    "concierge_webhook_ack_seconds",
    "Time to store and acknowledge an inbound webhook",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
BATCH_SIZE = Histogram(
    "concierge_webhook_batch_size",
    "Webhooks stored per transaction (group commit)",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200),
)

_PHONE = re.compile(r"\+?\d[\d\s-]{6,}\d")
_SQL_PARAMETERS = re.compile(r"\[parameters: [^\n]*")  # SQLAlchemy errors quote the bound values: message bodies
# Fields a JSON line never carries: the record's own, and uvicorn's `color_message` (the message again, with ANSI
# escapes for terminals).
_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",
}
_SENSITIVE_KEYS = {
    "body",
    "from",
    "to",
    "phone",
    "text",
    "authorization",
    "cookie",
    "x-twilio-signature",
    "auth_token",
    "password",
    "data",
    # Guest text and addresses under the names our code and Twilio use for them.
    "reply",
    "message_body",
    "content",
    "detail",
    "guest_address",
    "property_address",
    "to_address",
    "from_address",
    "messages",
}
# Sentry's own scrubber (matched on keys anywhere in the event, recursively) gets the same names.
SENTRY_DENYLIST = sorted(_SENSITIVE_KEYS | {"x_twilio_signature", "twilio_auth_token", "sentry_dsn"})


def pseudonym(value: str) -> str:
    """A stable, non-reversible tag for a phone number or address, for correlating logs."""
    return "h:" + hashlib.sha256(value.encode()).hexdigest()[:12]


def redact_text(text: str) -> str:
    """Replace anything that looks like a phone number, and the values SQLAlchemy errors quote."""
    return _PHONE.sub("[phone]", _SQL_PARAMETERS.sub("[parameters: redacted]", text))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_text(record.getMessage()),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS:
                data[key] = "[redacted]" if key.lower() in _SENSITIVE_KEYS else value
        if record.exc_info:
            data["exception"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(data, default=str, ensure_ascii=False)


def configure_logging(settings: Settings) -> None:
    """JSON logs on stderr at the configured level."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # one line per plugin, every run
    # The Twilio client logs every request (method, URL, headers) at INFO: the recipient's number is in the URL's
    # form data and the account SID in the path. Its warnings and errors still come through.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)


def only_warnings() -> None:
    """For commands whose output is for a person at a terminal (chat, eval): the turns' info logs would land between
    its lines; warnings and errors still show."""
    root = logging.getLogger()
    root.setLevel(max(root.level, logging.WARNING))


def scrub_event(event: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sentry `before_send`: drop request bodies, cookies, headers that identify, and phone numbers in text."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("data", None)
        request.pop("cookies", None)
        request.pop("query_string", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            for key in list(headers):
                if key.lower() in _SENSITIVE_KEYS:
                    headers[key] = "[redacted]"
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict):
        for crumb in breadcrumbs.get("values") or []:
            if isinstance(crumb, dict):
                crumb.pop("data", None)  # outbound HTTP breadcrumbs (the Twilio API) carry To and Body
    return _scrub(event)  # type: ignore[no-any-return]


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "[redacted]" if str(k).lower() in _SENSITIVE_KEYS else _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def configure_sentry(settings: Settings, *, transport: Any = None) -> bool:
    """Start Sentry when `SENTRY_DSN` is set: no PII, no request bodies, every event scrubbed.

    `transport` replaces the network transport (tests capture the events that would have been sent).
    """
    if not settings.sentry_dsn:
        return False
    import sentry_sdk
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=reveal(settings.sentry_dsn),
        transport=transport,  # tests capture envelopes in memory
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        event_scrubber=EventScrubber(denylist=[*DEFAULT_DENYLIST, *SENTRY_DENYLIST], recursive=True),
        before_send=scrub_event,  # type: ignore[arg-type]
        before_send_transaction=scrub_event,  # type: ignore[arg-type]
    )
    return True


def _drop_exception_messages(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    # Inside a turn an exception's message may quote the guest (a parser echoing its input): keep type and stack.
    for exception in (event.get("exception") or {}).get("values") or []:
        if exception.get("value"):
            exception["value"] = "[redacted]"
    return event


@contextmanager
def turn_scope(turn_id: int) -> Iterator[None]:
    """Sentry events raised inside carry the turn's id as a tag; their exception messages are dropped."""
    import sentry_sdk

    with sentry_sdk.new_scope() as scope:
        scope.set_tag("turn_id", str(turn_id))
        scope.add_event_processor(_drop_exception_messages)  # type: ignore[arg-type]
        yield
