"""Twilio webhooks: verify the signature, store the message, acknowledge with empty TwiML."""

import logging
import time
from functools import partial
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request, Response
from sqlmodel import Session
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator

from concierge.channels import sender
from concierge.conversation import outbox, service
from concierge.conversation.group_commit import GroupCommit
from concierge.conversation.models import Channel
from concierge.core.db import SessionDep
from concierge.core.modelbase import utcnow
from concierge.core.observability import ACK_SECONDS, MESSAGES_DUPLICATE, MESSAGES_IN, WEBHOOK_REJECTED, pseudonym
from concierge.core.settings import Settings, get_settings, reveal
from knowledge import service as knowledge_service

log = logging.getLogger(__name__)
router = APIRouter(prefix="/twilio", tags=["twilio"])

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
MAX_FORM_BYTES = 64 * 1024


def twiml() -> Response:
    """Twilio's acknowledgement: an empty response, so Twilio sends nothing itself."""
    return Response(EMPTY_TWIML, media_type="application/xml")


def signed_url(settings: Settings, request: Request) -> str:
    """The URL Twilio signed: the configured public URL, never what a proxy made of it."""
    query = request.url.query
    return settings.public_url.rstrip("/") + request.url.path + (f"?{query}" if query else "")


def parse_form(raw: bytes) -> ImmutableMultiDict[str, str]:
    """Form fields of a webhook, every value of a repeated field kept (Twilio signs them all); bytes that are not
    UTF-8 become U+FFFD instead of an error."""
    text = raw.decode("utf-8", errors="replace")
    return ImmutableMultiDict(parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace"))


async def verified_form(request: Request) -> dict[str, str]:
    """The webhook's fields once its X-Twilio-Signature is valid; a 403 response otherwise."""
    settings = get_settings()
    raw = await request.body()
    if len(raw) > MAX_FORM_BYTES:
        raise Rejected(413, "too_large")
    if not settings.twilio_enabled:
        raise Rejected(403, "twilio_not_configured")
    fields = parse_form(raw)
    # The last value of each field is what we use; the signature covers all of them, as Twilio's validator
    # computes it (a dict of last values would refuse a genuine request with a repeated field).
    form = {key: fields[key] for key in fields}
    signature = request.headers.get("X-Twilio-Signature")
    url = signed_url(settings, request)
    validator = RequestValidator(reveal(settings.twilio_auth_token))
    if signature and validator.validate(url, fields, signature):
        return form
    reason = "signature_missing" if not signature else "signature_mismatch"
    # The URL is the usual culprit (proxy scheme, host or port): log it, never the body.
    log.warning(
        "twilio webhook rejected",
        extra={"reason": reason, "signed_url": url, "mode": settings.twilio_signature_mode},
    )
    if settings.twilio_signature_mode == "log-only":
        return form
    raise Rejected(403, reason)


class Rejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def rejected_response(exc: Rejected) -> Response:
    """The response for a refused webhook (registered as an exception handler by the app)."""
    WEBHOOK_REJECTED.labels(exc.reason).inc()
    return Response(exc.reason, status_code=exc.status, media_type="text/plain")


Form = Annotated[dict[str, str], Depends(verified_form)]


def store_inbound(session: Session, form: dict[str, str]) -> str:
    """Store the message and its job; returns "stored", "duplicate" or "unknown_number"."""
    to, sender = form.get("To", ""), form.get("From", "")
    channel = Channel.whatsapp if sender.startswith("whatsapp:") else Channel.sms
    numbers = session.info.setdefault("property_ids", {})  # a group commit's messages mostly share a few numbers
    if to not in numbers:
        numbers[to] = knowledge_service.property_id_for_number(session, number=to)
    property_id = numbers[to]
    if property_id is None:
        return "unknown_number"
    message = service.receive(
        session,
        property_id=property_id,
        channel=channel,
        guest_address=sender,
        property_address=to,
        body=form.get("Body", ""),
        twilio_sid=form.get("MessageSid") or None,
        now=utcnow(),
    )
    return "stored" if message else "duplicate"


async def stored(request: Request, form: dict[str, str]) -> str:
    """Store the webhook's message in the next group commit; returns once it has committed.

    Never inline on the event loop: a store waiting for SQLite's write lock there stalls every request (ack p95
    11 s, docs/benchmarks.md, third pass). One transaction per webhook on the threadpool queued the stores on the
    write lock instead (ack p99 1.3 s at 200 senders); one batch per wait does not.
    """
    writes: GroupCommit = request.app.state.inbound_writes
    return str(await writes.run(partial(store_inbound, form=form), key=f"{form.get('To')} {form.get('From')}"))


@router.post("/messages")
async def inbound_message(request: Request, form: Form) -> Response:
    """Inbound SMS or WhatsApp: stored before the 200, answered later by the worker."""
    started = time.perf_counter()
    missing = [name for name in ("From", "To") if not form.get(name, "").strip()]
    if missing:  # nobody to answer or no property to answer for: refused, nothing stored
        raise Rejected(400, f"missing_{missing[0].lower()}")
    outcome = await stored(request, form)
    if outcome == "stored":
        MESSAGES_IN.labels("whatsapp" if form.get("From", "").startswith("whatsapp:") else "sms").inc()
        worker = getattr(request.app.state, "worker", None)
        if worker is not None:
            worker.wake()
    elif outcome == "duplicate":
        MESSAGES_DUPLICATE.inc()
    else:
        log.warning("message to a number no property uses", extra={"to": pseudonym(form.get("To", ""))})
    ACK_SECONDS.observe(time.perf_counter() - started)
    return twiml()


def store_status(session: Session, form: dict[str, str], outbox_id: int | None) -> bool:
    """Apply a delivery status callback in the caller's transaction; False when no reply of ours matches.

    A reply Twilio accepted but then could not deliver has failed for good: staff get an escalation with its text.
    """
    change = outbox.apply_status(
        session,
        twilio_sid=form.get("MessageSid", ""),
        status=form.get("MessageStatus", ""),
        error_code=form.get("ErrorCode") or None,
        outbox_id=outbox_id,
    )
    if change is not None and change.failed_now:
        sender.escalate_undelivered(
            session,
            outbox_id=change.outbox_id,
            conversation_id=change.conversation_id,
            message_id=change.message_id,
            body=change.body,
            now=utcnow(),
        )
    return change is not None


@router.post("/status")
def status_callback(request: Request, session: SessionDep, form: Form) -> Response:
    """Twilio's delivery status for a reply we sent (committed before the acknowledgement, in one transaction)."""
    raw_id = request.query_params.get("outbox", "")
    known = store_status(session, form, int(raw_id) if raw_id.isdigit() else None)
    if not known:
        log.info("status for an unknown message", extra={"status": form.get("MessageStatus")})
    return twiml()
