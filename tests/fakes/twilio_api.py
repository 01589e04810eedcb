"""A fake of the Twilio Messages REST API, served over real HTTP on loopback.

Tests point the official twilio client at `FakeTwilio.base_url` (rewrite the
"https://api.twilio.com" prefix in a `TwilioHttpClient` subclass) and then
inspect what was sent, script failures and delays, or wait for deliveries:

    with FakeTwilio() as fake:
        fake.fail_next(500)                 # next POST answers a Twilio-style 500
        ...run the sender...
        [sent] = fake.wait_for(1)
        assert sent["to"] == "+15550001111"

Only what the sender needs is modelled: create, fetch and list Messages.
Messages stay "queued" with a null date_sent; the list filters on DateSent
compare against the creation time instead.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

API_VERSION = "2010-04-01"

# Default Twilio error code and message for each scripted HTTP status.
_DEFAULT_ERRORS: dict[int, tuple[int, str]] = {
    400: (21211, "The 'To' number is not a valid phone number."),
    401: (20003, "Authenticate"),
    403: (20403, "Forbidden"),
    404: (20404, "The requested resource was not found"),
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
}

_FILTER_KEYS = ("To", "From", "DateSent>", "DateSent<", "DateSent")


@dataclass(frozen=True)
class _Failure:
    status: int
    code: int
    message: str
    retry_after: float | None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeTwilio) -> None:
        super().__init__(("127.0.0.1", 0), _KeepAliveHandler if fake.keep_alive else _Handler)
        self.fake = fake

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.fake._cond:
            self.fake._connections += 1
        super().process_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out close the socket before a delayed answer; that is expected.
        pass


class FakeTwilio:
    """In-process fake of api.twilio.com's Messages resource."""

    def __init__(
        self,
        account_sid: str = "AC" + "0" * 32,
        auth_token: str = "test-token",
        *,
        clock: Callable[[], datetime] | None = None,
        keep_alive: bool = False,
    ) -> None:
        self.account_sid = account_sid
        # HTTP/1.1 with persistent connections, as api.twilio.com answers; the default (HTTP/1.0, a connection per
        # request) lets a test's dropped or delayed request end with its connection.
        self.keep_alive = keep_alive
        self.auth_token = auth_token
        # Replaceable so tests can give messages known creation times.
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._cond = threading.Condition()
        self._records: list[dict[str, Any]] = []
        self._failures: deque[_Failure] = deque()
        self._delays: deque[float] = deque()
        self._delays_to: dict[str, float] = {}
        self._requests_seen = 0
        self._connections = 0
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> FakeTwilio:
        """Start serving on a free loopback port."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server(self)
        # A short poll interval keeps stop() (and so each test's teardown) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-twilio", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is None:
            return
        self._stopping.set()  # wakes handlers sleeping in delay_next
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The "http://127.0.0.1:PORT" prefix that replaces "https://api.twilio.com"."""
        if self._server is None:
            raise RuntimeError("FakeTwilio is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- scripting ---------------------------------------------------------

    def fail_next(
        self,
        *statuses: int,
        code: int | None = None,
        message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Make the next POSTs answer these HTTP statuses with Twilio-style errors."""
        with self._cond:
            for status in statuses:
                default_code, default_message = _DEFAULT_ERRORS.get(status, (status * 100, "Error"))
                wait = retry_after if retry_after is not None or status != 429 else 1.0
                self._failures.append(_Failure(status, code or default_code, message or default_message, wait))

    def delay_next(self, seconds: float, *, count: int = 1) -> None:
        """Make the next `count` POSTs sleep `seconds` before being handled."""
        with self._cond:
            self._delays.extend([seconds] * count)

    def delay_to(self, address: str, seconds: float) -> None:
        """Make every POST to this `To` address sleep `seconds` before being handled (a slow carrier)."""
        with self._cond:
            self._delays_to[address] = seconds

    def reset(self) -> None:
        """Forget recorded messages, the request count and any scripted failures or delays."""
        with self._cond:
            self._records.clear()
            self._failures.clear()
            self._delays.clear()
            self._delays_to.clear()
            self._requests_seen = 0

    # -- inspection --------------------------------------------------------

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Recorded messages: dicts with sid, to, from_, body, status_callback, date_created, received_at."""
        with self._cond:
            return [_summary(record) for record in self._records]

    @property
    def requests_seen(self) -> int:
        """Number of POSTs to Messages.json, including failed ones."""
        with self._cond:
            return self._requests_seen

    @property
    def connections(self) -> int:
        """Number of TCP connections accepted since start."""
        with self._cond:
            return self._connections

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until at least `count` messages are recorded and return them all."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._records) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    have = [_summary(record) for record in self._records]
                    raise AssertionError(f"expected {count} Twilio messages within {timeout}s, got {have}")
                self._cond.wait(remaining)
            return [_summary(record) for record in self._records]

    # -- request handling (called from server threads) ---------------------

    def _messages_uri(self, sid: str | None = None) -> str:
        base = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages"
        return f"{base}/{sid}.json" if sid else f"{base}.json"

    def _handle_create(self, form: dict[str, str]) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._cond:
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            headers = {"Retry-After": f"{failure.retry_after:g}"} if failure.retry_after is not None else {}
            return failure.status, _error(failure.status, failure.code, failure.message), headers
        if not form.get("To"):
            return 400, _error(400, 21604, "A 'To' phone number is required."), {}
        if not form.get("Body") and not form.get("ContentSid"):
            return 400, _error(400, 21602, "Message body is required."), {}
        if form.get("ContentSid") and not form["ContentSid"].startswith("HX"):
            return 400, _error(400, 21656, "The ContentSid is Invalid."), {}
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return 400, _error(400, 21603, "A 'From' phone number is required."), {}
        # Twilio timestamps have whole-second resolution; match it so DateSent filters are exact.
        now = self.clock().astimezone(UTC).replace(microsecond=0)
        sid = "SM" + uuid.uuid4().hex
        record = {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": form["To"],
            "from": form.get("From"),
            "body": form.get("Body", ""),
            "status": "queued",
            "direction": "outbound-api",
            "date_created": format_datetime(now),
            "date_updated": format_datetime(now),
            "date_sent": None,
            "num_segments": "1",
            "num_media": "0",
            "price": None,
            "price_unit": "USD",
            "error_code": None,
            "error_message": None,
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "api_version": API_VERSION,
            "uri": self._messages_uri(sid),
            "subresource_uris": {"media": self._messages_uri(sid).removesuffix(".json") + "/Media.json"},
            # Private fields, stripped from every response.
            "_created": now,
            "_received": time.monotonic(),
            "_status_callback": form.get("StatusCallback"),
            "_content_sid": form.get("ContentSid"),  # an approved template (Content API) instead of a Body
            "_content_variables": form.get("ContentVariables"),
        }
        with self._cond:
            self._records.append(record)
            self._cond.notify_all()
        return 201, _public(record), {}

    def _handle_fetch(self, sid: str) -> tuple[int, dict[str, Any]]:
        with self._cond:
            found = [record for record in self._records if record["sid"] == sid]
        if not found:
            return 404, _error(404, 20404, f"The requested resource {self._messages_uri(sid)} was not found")
        return 200, _public(found[0])

    def _handle_list(self, query: dict[str, str]) -> dict[str, Any]:
        with self._cond:
            records = list(reversed(self._records))  # Twilio lists newest first
        filters = {key: query[key] for key in ("To", "From") if key in query}
        records = [r for r in records if all(r[key.lower()] == value for key, value in filters.items())]
        for key, keep in (
            ("DateSent>", lambda created, bound: created >= bound),
            ("DateSent<", lambda created, bound: created <= bound),
            ("DateSent", lambda created, bound: created == bound),
        ):
            if key in query:
                records = [r for r in records if _compare(r["_created"], query[key], keep)]
        page_size = int(query.get("PageSize", "50"))
        page = int(query.get("Page", "0"))
        chunk = records[page * page_size : (page + 1) * page_size]
        kept = {key: query[key] for key in _FILTER_KEYS if key in query}

        def page_uri(number: int) -> str:
            return self._messages_uri() + "?" + urlencode({**kept, "PageSize": page_size, "Page": number})

        has_next = (page + 1) * page_size < len(records)
        return {
            "messages": [_public(r) for r in chunk],
            "start": page * page_size,
            "end": page * page_size + max(len(chunk) - 1, 0),
            "page": page,
            "page_size": page_size,
            "uri": page_uri(page),
            "first_page_uri": page_uri(0),
            "next_page_uri": page_uri(page + 1) if has_next else None,
            "previous_page_uri": page_uri(page - 1) if page > 0 else None,
        }


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        # Keep test output clean; the fake's state is inspected directly instead.
        pass

    def do_POST(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8")
        account, resource = self._route()
        if resource != "Messages.json":
            self._send(404, _error(404, 20404, f"The requested resource {self.path} was not found"))
            return
        form = {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}
        with fake._cond:
            fake._requests_seen += 1
            delay = fake._delays.popleft() if fake._delays else fake._delays_to.get(form.get("To", ""), 0.0)
        if delay and fake._stopping.wait(delay):
            return  # stopping: drop the request unanswered
        if rejection := self._reject(account):
            self._send(*rejection)
            return
        status, payload, headers = fake._handle_create(form)
        self._send(status, payload, headers)

    def do_GET(self) -> None:
        fake = self.server.fake
        account, resource = self._route()
        if rejection := self._reject(account):
            self._send(*rejection)
        elif resource == "Messages.json":
            query = {key: values[-1] for key, values in parse_qs(urlsplit(self.path).query).items()}
            self._send(200, fake._handle_list(query))
        elif resource.startswith("Messages/SM") and resource.endswith(".json"):
            self._send(*fake._handle_fetch(resource.removeprefix("Messages/").removesuffix(".json")))
        else:
            self._send(404, _error(404, 20404, f"The requested resource {self.path} was not found"))

    def _route(self) -> tuple[str | None, str]:
        """Split /2010-04-01/Accounts/{sid}/{resource} into (sid, resource)."""
        parts = urlsplit(self.path).path.strip("/").split("/", 3)
        if len(parts) == 4 and parts[0] == API_VERSION and parts[1] == "Accounts":
            return parts[2], parts[3]
        return None, ""

    def _reject(self, account: str | None) -> tuple[int, dict[str, Any], dict[str, str]] | None:
        fake = self.server.fake
        expected = base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            return 401, _error(401, 20003, "Authenticate"), {"WWW-Authenticate": 'Basic realm="Twilio API"'}
        if account != fake.account_sid:
            return 404, _error(404, 20404, f"The requested resource {self.path} was not found"), {}
        return None

    def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class _KeepAliveHandler(_Handler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms wait for the client's delayed ACK


def _error(status: int, code: int, message: str) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if not key.startswith("_")}


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "sid": record["sid"],
        "to": record["to"],
        "from_": record["from"],
        "body": record["body"],
        "status_callback": record["_status_callback"],
        "content_sid": record["_content_sid"],
        "content_variables": record["_content_variables"],
        "messaging_service_sid": record["messaging_service_sid"],
        "date_created": record["_created"],
        "received_at": record["_received"],  # time.monotonic() when the fake accepted it (benchmarks)
    }


def _compare(created: datetime, raw: str, keep: Callable[[Any, Any], bool]) -> bool:
    """Apply a DateSent filter: date-only values compare days, full timestamps compare instants."""
    if "T" not in raw:
        return keep(created.date(), date.fromisoformat(raw))
    bound = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if bound.tzinfo is None:
        bound = bound.replace(tzinfo=UTC)
    return keep(created, bound)
