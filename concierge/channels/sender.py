"""Deliver outbox replies: Twilio through the official client, the simulator in place."""

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from requests import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from concierge.conversation import outbox
from concierge.conversation.models import Channel
from concierge.core import metrics
from concierge.core.db import session_scope
from concierge.core.settings import Settings

log = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"
RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})


class RebasedHttpClient(TwilioHttpClient):  # type: ignore[misc]  # twilio ships no type information
    """The official HTTP client, sending to `TWILIO_API_BASE_URL` instead of api.twilio.com."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


@dataclass
class SendOutcome:
    kind: str  # "sent", "retry", "failed"
    sid: str | None = None
    code: str | None = None
    error: str = ""
    maybe_sent: bool = False  # no answer (timeout, connection dropped): Twilio may have accepted it


class Sender:
    """Sends one claimed delivery at a time; owns the retry policy and the crash reconciliation."""

    def __init__(self, settings: Settings, now: Callable[[], datetime]) -> None:
        self.settings = settings
        self.now = now
        self.client: Client | None = None
        if settings.twilio_enabled:
            self.client = Client(
                settings.twilio_account_sid,
                settings.twilio_auth_token,
                http_client=RebasedHttpClient(settings.twilio_api_base_url, settings.twilio_timeout_seconds),
            )

    @property
    def stale_after(self) -> float:
        """An attempt older than this never finished (the process died): reconcile before resending."""
        return 2 * self.settings.twilio_timeout_seconds + 5

    def send_next(self) -> bool:
        """Claim and deliver one due reply; False when nothing is due."""
        with session_scope(readonly=True) as session:  # a read first: claiming takes SQLite's write lock
            if not outbox.delivery_due(session, now=self.now(), stale_after=self.stale_after):
                return False
        with session_scope() as session:
            delivery = outbox.claim_delivery(session, now=self.now(), stale_after=self.stale_after)
        if delivery is None:
            return False
        result = self._deliver(delivery)
        retry = result.kind == "retry" and delivery.attempts < self.settings.outbox_max_attempts
        with session_scope() as session:
            if result.kind == "sent":
                outbox.mark_sent(session, outbox_id=delivery.id, twilio_sid=result.sid, now=self.now())
            elif retry:
                delay = self._backoff(delivery.attempts)
                if result.maybe_sent:  # give a request Twilio is still processing time to show up in its list
                    delay = max(delay, self.settings.twilio_timeout_seconds)
                outbox.mark_retry(
                    session,
                    outbox_id=delivery.id,
                    error=result.error,
                    delay=delay,
                    now=self.now(),
                    maybe_sent=result.maybe_sent,
                )
            else:
                outbox.mark_failed(session, outbox_id=delivery.id, code=result.code, error=result.error)
        final = "sent" if result.kind == "sent" else "retry" if result.kind == "retry" and retry else "failed"
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
        return True

    def _backoff(self, attempts: int) -> float:
        base = self.settings.outbox_retry_base_seconds * float(2 ** (attempts - 1))
        return min(base, self.settings.outbox_retry_max_seconds) * random.uniform(0.8, 1.2)

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
            return SendOutcome(kind, code=str(exc.code or exc.status), error=f"HTTP {exc.status}")
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
