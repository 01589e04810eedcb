"""Deliver outbox replies: Twilio through the official client, the simulator in place."""

import logging
import os
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from requests import PreparedRequest, RequestException
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import default_headers, get_environ_proxies
from sqlmodel import Session
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from concierge.conversation import outbox
from concierge.conversation.models import Channel, Owner
from concierge.core import metrics
from concierge.core.backoff import Backoff
from concierge.core.db import connection_scope, session_scope
from concierge.core.settings import Settings, reveal
from escalation import service as escalation_service

log = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"
RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})


class RebasedHttpClient(TwilioHttpClient):  # type: ignore[misc]  # twilio ships no type information
    """The official HTTP client, sending to `TWILIO_API_BASE_URL` instead of api.twilio.com, on a lighter path.

    It also keeps the last answer's `Retry-After` header: the client's exceptions carry the status but drop the
    headers, and a 429 says how long to wait only there.

    The proxy environment (`HTTPS_PROXY`, `NO_PROXY`, `REQUESTS_CA_BUNDLE` …) is read once, here: requests reads
    and parses it again for every request otherwise, about a tenth of a delivery's CPU (docs/benchmarks.md,
    "Concurrent turns", fifth pass). Twilio's credentials are explicit, so no `.netrc` is ever needed either.

    A request goes straight to one requests `HTTPAdapter` (urllib3's pool: proxy, TLS and keep-alive as before),
    without the `Session` around it: its cookie jar, hooks, settings merge and redirect machinery did nothing for
    Twilio's API but cost about a sixth of a delivery's CPU (eighth pass). The pool keeps one connection per
    sending thread (`pool_size`, the sender's concurrency): twilio's own adapter keeps `cpu_count + 4` (6 on two
    cores), and each answer beyond that closed its connection, so the next request paid a new TLS handshake.
    """

    def __init__(self, base_url: str, timeout: float, pool_size: int = 8) -> None:
        super().__init__(pool_connections=False, timeout=timeout)  # no `Session`: `request` is replaced below
        self.base_url = base_url.rstrip("/")
        self._answer = threading.local()  # per thread: one client may serve several threads
        self.proxy = get_environ_proxies(self.base_url)
        self.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        self.adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size)
        self.headers: CaseInsensitiveDict[str] = default_headers()  # requests' defaults, under twilio's own

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,  # Twilio's API does not redirect; the official client never asks to follow
    ) -> Response:
        if url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        if timeout is None:
            timeout = self.timeout
        elif timeout <= 0:
            raise ValueError(timeout)
        merged = self.headers.copy()
        merged.update(headers or {})
        as_json = merged.get("Content-Type") in ("application/json", "application/scim+json")
        if self.logger.isEnabledFor(logging.INFO):
            self.log_request({"method": method.upper(), "url": url, "params": params, "headers": headers})
        prepared = PreparedRequest()
        prepared.prepare(
            method=method.upper(),
            url=url,
            headers=merged,
            params=params,
            auth=auth,
            data=None if as_json else data,
            json=data if as_json else None,
        )
        self._answer.retry_after = None
        answer = self.adapter.send(
            prepared, stream=False, timeout=timeout, verify=self.verify, cert=None, proxies=self.proxy
        )
        response = Response(int(answer.status_code), answer.text, answer.headers)
        if self.logger.isEnabledFor(logging.INFO):
            self.log_response(answer.status_code, answer)
        self._answer.retry_after = answer.headers.get("Retry-After")
        return response

    @property
    def retry_after(self) -> str | None:
        """The `Retry-After` header of this thread's last answer, if it had one."""
        value = getattr(self._answer, "retry_after", None)
        return str(value) if value is not None else None


@dataclass
class SendOutcome:
    kind: str  # "sent", "retry", "failed"
    sid: str | None = None
    code: str | None = None
    error: str = ""
    maybe_sent: bool = False  # no answer (timeout, connection dropped): Twilio may have accepted it
    retry_after: str | None = None  # Twilio's Retry-After header (a 429 or 503 says when to come back)


class Sender:
    """Sends claimed deliveries (from several threads at once); owns the retry policy and the crash reconciliation."""

    def __init__(
        self, settings: Settings, now: Callable[[], datetime], rng: Callable[[], float] = random.random
    ) -> None:
        self.settings = settings
        self.now = now
        self.backoff = Backoff(base=settings.outbox_retry_base_seconds, cap=settings.outbox_retry_max_seconds, rng=rng)
        self.client: Client | None = None
        self.http: RebasedHttpClient | None = None
        if settings.twilio_enabled:
            self.http = RebasedHttpClient(
                settings.twilio_api_base_url, settings.twilio_timeout_seconds, pool_size=settings.sender_concurrency
            )
            self.client = Client(settings.twilio_account_sid, reveal(settings.twilio_auth_token), http_client=self.http)

    @property
    def stale_after(self) -> float:
        """An attempt older than this never finished (the process died): reconcile before resending."""
        return 2 * self.settings.twilio_timeout_seconds + 5

    def send_next(self) -> bool:
        """Claim and deliver one due reply, here and now; False when nothing is due."""
        delivery = self.claim()
        if delivery is None:
            return False
        self.deliver(delivery)
        return True

    def claim(self) -> outbox.Delivery | None:
        """Claim the next due reply (never one behind an earlier reply of its conversation), or None."""
        # Core connections, no ORM session: each is one statement (docs/benchmarks.md, eighth pass).
        with connection_scope(readonly=True) as connection:  # a read first: claiming takes SQLite's write lock
            if not outbox.delivery_due(connection, now=self.now(), stale_after=self.stale_after):
                return None
        with connection_scope() as connection:
            return outbox.claim_delivery(connection, now=self.now(), stale_after=self.stale_after)

    def deliver(self, delivery: outbox.Delivery) -> None:
        """Send a claimed reply and record the attempt: sent, due again after a backoff, or failed. Thread-safe."""
        result = self._deliver(delivery)
        retry = False
        if result.kind == "sent":
            with connection_scope() as connection:  # one statement: no ORM session
                outbox.mark_sent(connection, outbox_id=delivery.id, twilio_sid=result.sid, now=self.now())
        else:
            retry = self._record_failure(delivery, result)
        final = "sent" if result.kind == "sent" else "retry" if retry else "failed"
        metrics.record_delivery(channel=delivery.channel, author=delivery.author, outcome=final, code=result.code)
        log.info(
            "delivery attempt",
            extra={
                "outbox_id": delivery.id,
                "attempt": delivery.attempts,
                "outcome": result.kind,
                "code": result.code,
            },
        )

    def _record_failure(self, delivery: outbox.Delivery, result: SendOutcome) -> bool:
        """Record a failed attempt: due again after a backoff (True), or failed for good and escalated (False)."""
        retry = False
        with session_scope() as session:
            if result.kind == "retry":
                retry = outbox.retry_or_fail(
                    session,
                    delivery=delivery,
                    retry_hours=self.settings.outbox_retry_hours,
                    code=result.code,
                    error=result.error,
                    now=self.now(),
                    backoff=self.backoff,
                    retry_after=result.retry_after,
                    # Give a request Twilio is still processing time to show up in its list.
                    min_delay=self.settings.twilio_timeout_seconds if result.maybe_sent else 0.0,
                    maybe_sent=result.maybe_sent,
                )
            else:
                outbox.mark_failed(session, outbox_id=delivery.id, code=result.code, error=result.error)
            if not retry:
                escalate_undelivered(
                    session,
                    outbox_id=delivery.id,
                    conversation_id=delivery.conversation_id,
                    message_id=delivery.message_id,
                    body=delivery.body,
                    now=self.now(),
                )
        return retry

    def _deliver(self, delivery: outbox.Delivery) -> SendOutcome:
        if delivery.channel == Channel.simulator:
            return SendOutcome("sent")
        if self.client is None:
            return SendOutcome("failed", code="not_configured", error="Twilio credentials are not configured")
        if delivery.reconcile_since is not None:
            found = self._already_sent(delivery)
            if found:
                log.warning("reconciled a send that reached Twilio before a crash", extra={"outbox_id": delivery.id})
                return SendOutcome("sent", sid=found)
        try:
            callback = f"{self.settings.public_url.rstrip('/')}/twilio/status?outbox={delivery.id}"
            if delivery.content_sid:  # an approved WhatsApp template: Twilio renders the text from the SID
                message = self.client.messages.create(
                    to=delivery.to_address,
                    from_=delivery.from_address,
                    content_sid=delivery.content_sid,
                    content_variables=delivery.content_variables,
                    status_callback=callback,
                )
            else:
                message = self.client.messages.create(
                    to=delivery.to_address, from_=delivery.from_address, body=delivery.body, status_callback=callback
                )
        except (TwilioRestException, TwilioServiceException) as exc:
            kind = "retry" if exc.status in RETRYABLE_STATUS else "failed"
            retry_after = self.http.retry_after if self.http is not None else None
            return SendOutcome(
                kind, code=str(exc.code or exc.status), error=f"HTTP {exc.status}", retry_after=retry_after
            )
        except (RequestException, TwilioException, OSError) as exc:
            # A timeout or dropped connection says nothing about whether Twilio created the message.
            return SendOutcome("retry", code="network", error=type(exc).__name__, maybe_sent=True)
        return SendOutcome("sent", sid=message.sid)

    def _already_sent(self, delivery: outbox.Delivery) -> str | None:
        """Look for the message a crashed attempt may have sent: same numbers and body, since that attempt."""
        assert self.client is not None and delivery.reconcile_since is not None
        try:
            candidates = self.client.messages.list(
                to=delivery.to_address,
                from_=delivery.from_address,
                date_sent_after=delivery.reconcile_since - timedelta(minutes=1),
                limit=50,
            )
        except (TwilioException, RequestException, OSError):
            return None  # cannot tell: sending again risks a duplicate less than losing the reply
        with session_scope(readonly=True) as session:
            for candidate in candidates:
                if (
                    # A template's text is rendered by Twilio, so only the numbers and the time can match it.
                    (delivery.content_sid is not None or candidate.body == delivery.body)
                    and candidate.sid
                    and not outbox.sid_recorded(session, twilio_sid=candidate.sid)
                ):
                    return str(candidate.sid)
        return None


def escalate_undelivered(
    session: Session, *, outbox_id: int, conversation_id: int, message_id: int, body: str, now: datetime
) -> None:
    """A reply failed for good: staff get an escalation with its text, to reach the guest another way.

    The staff alert threads are left alone: an alert that cannot leave must not raise another alert.
    """
    conversation = escalation_service.lock_conversation(session, conversation_id=conversation_id)
    if conversation.owner == Owner.alerts:
        return
    escalation_service.open_escalation(
        session,
        conversation=conversation,
        message_id=message_id,  # the undelivered reply: the console shows its text as the trigger
        reason="delivery_failed",
        detail=body,
        now=now,
    )
    log.warning("reply failed for good: escalated", extra={"outbox_id": outbox_id})
