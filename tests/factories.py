"""What tests build again and again, as plain functions: the demo property and its phone numbers, a guest's
message and its turn, signing in (a web client or a browser), the Twilio environment and signed webhooks, releases,
the `concierge` command, the dashboard's traffic.

Fixtures live in conftest.py files. A test module imports helpers from here, from tests/fakes/ (the local fake
servers), tests/e2e/server.py (the real server processes) or tests/querycount.py, never from another test module
(tests/test_architecture.py checks it).
"""

import logging
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, col, select
from twilio.request_validator import RequestValidator
from typing_extensions import TypedDict, Unpack

from concierge.conversation import service
from concierge.conversation.models import Author, Conversation, Job, Message, Trace
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.llm import offline
from concierge.llm.models import ModelCall
from concierge.llm.types import ResponseRequest, TurnResponse
from concierge.ops.releases import service as release_service
from concierge.turn.runner import TurnRunner
from concierge.users import service as users_service
from concierge.users.models import User
from escalation import service as escalation_service
from escalation import staff as staff_service
from escalation.models import Escalation
from knowledge import service as knowledge_service
from knowledge.models import Property
from knowledge.pack import parse_pack
from tests.fakes.twilio_api import FakeTwilio

ROOT = Path(__file__).resolve().parent.parent  # the repository
PG_URL_ENV = "CONCIERGE_TEST_DATABASE_URL"  # names a PostgreSQL database to run the suite on

# The demo pack's numbers (`pack_data`).
PROPERTY_NUMBER = "+15005550006"  # casa-test's number, on SMS and WhatsApp
OTHER_PROPERTY_NUMBER = "+15005550007"  # casa-b's (`other_property`)
STAFF_PHONE = "+34600000001"  # Marta Ruiz, the host
ANA = "+34611111111"  # booked and staying now, Spanish: may receive the door code
JOHN = "+447700900123"  # booked, arrives in 20 days, English
STRANGER = "+15550001111"  # no booking
LOOPBACK = ("127.0.0.1", 50000)  # a TestClient's client address on this machine (`/metrics` answers loopback only)
GOOD_WIFI = "The Wi-Fi network is CasaTest-5G and the password is sol-y-mar-2024."  # a grounded model answer


# -- the demo property ----------------------------------------------------------------------------------------


def pack_data(**overrides: Any) -> dict[str, Any]:
    """A small valid pack; reservations are relative to today so access-window tests never go stale."""
    today = date.today()
    data: dict[str, Any] = {
        "property": {
            "slug": "casa-test",
            "name": "Casa Test",
            "timezone": "Europe/Madrid",
            "default_language": "es",
            "phone_numbers": [PROPERTY_NUMBER, f"whatsapp:{PROPERTY_NUMBER}"],
            "access_window_hours": 24,
        },
        "staff": [{"name": "Marta Ruiz", "phone": STAFF_PHONE, "role": "host", "languages": ["es", "en"]}],
        "knowledge": [
            {
                "topic": "wifi",
                "title": "Wi-Fi",
                "content": {
                    "es": "Red CasaTest-5G, contraseña sol-y-mar-2024.",
                    "en": "Network CasaTest-5G, password sol-y-mar-2024.",
                },
            },
            {
                "topic": "check_in",
                "title": "Check-in",
                "content": {"es": "La entrada es a partir de las 15:00.", "en": "Check-in is from 15:00."},
            },
            {
                "topic": "parking",
                "title": "Parking",
                "content": {
                    "es": "Plaza 14 en el garaje de la calle Mar 3.",
                    "en": "Space 14 in the garage at Calle Mar 3.",
                },
            },
            {
                "topic": "access",
                "title": "Door code",
                "sensitive": True,
                "content": {"es": "El código de la puerta es 4821.", "en": "The door code is 4821."},
            },
            {"topic": "pool", "title": "Pool", "content": {"es": "La piscina abre de 10:00 a 20:00."}},
        ],
        "reservations": [
            {
                "guest_name": "Ana López",
                "phone": ANA,
                "check_in": (today - timedelta(days=1)).isoformat(),
                "check_out": (today + timedelta(days=3)).isoformat(),
                "language": "es",
                "guests": 2,
            },
            {
                "guest_name": "John Smith",
                "phone": JOHN,
                "check_in": (today + timedelta(days=20)).isoformat(),
                "check_out": (today + timedelta(days=24)).isoformat(),
                "language": "en",
                "guests": 3,
            },
        ],
    }
    data.update(overrides)
    return data


def make_property(**overrides: Any) -> Property:
    """Import `pack_data(**overrides)` and return the property."""
    with session_scope() as s:
        prop, _version = knowledge_service.import_pack(s, pack=parse_pack(pack_data(**overrides)), author="test")
    return prop


def other_property() -> Property:
    """A second property, Casa B (casa-b, its own number, no reservations), for scope tests."""
    data = pack_data()
    data["property"] = {
        **data["property"],
        "slug": "casa-b",
        "name": "Casa B",
        "phone_numbers": [OTHER_PROPERTY_NUMBER],
    }
    return make_property(property=data["property"], reservations=[])


# -- a guest's message and its turn ---------------------------------------------------------------------------


def receive(
    s: Session,
    prop: Property,
    body: str,
    *,
    phone: str = ANA,
    channel: str = "sms",
    to: str = PROPERTY_NUMBER,
    at: datetime | None = None,
    sid: str | None = None,
) -> Message | None:
    """A guest's message stored in the caller's transaction; None when `sid` was stored already.

    On WhatsApp the guest writes from `whatsapp:<phone>`; `to` is the property's address as given.
    """
    return service.receive(
        s,
        prop=prop,
        channel=channel,
        guest_address=f"whatsapp:{phone}" if channel == "whatsapp" else phone,
        property_address=to,
        body=body,
        twilio_sid=sid,
        now=at or utcnow(),
    )


class Where(TypedDict, total=False):
    """Who writes, on which channel, to which address, when (`receive`'s keywords and defaults)."""

    phone: str
    channel: str
    to: str
    at: datetime | None


def store(prop: Property, body: str, **where: Unpack[Where]) -> Message:
    """A guest's message stored in its own transaction, as the webhook stores it (its turn waits in the queue)."""
    with session_scope() as s:
        message = receive(s, prop, body, **where)
        assert message is not None and message.id is not None
        return message


def guest_says(prop: Property, body: str, *, runner: TurnRunner | None = None, **where: Unpack[Where]) -> Message:
    """A guest's message stored and its turn run (by `runner`, or a new worker's); returns the stored message."""
    message = store(prop, body, **where)
    assert (runner or TurnRunner(get_settings())).run_next()
    return message


def guest_asks_for_person(
    prop: Property, *, to: str = PROPERTY_NUMBER, phone: str = ANA, body: str = "talk to a person"
) -> int:
    """A guest asks for a person by SMS and the turn runs (it opens an escalation); returns the conversation id."""
    return guest_says(prop, body, phone=phone, to=to).conversation_id


def queue_replies(
    prop: Property, *bodies: str, guest: str = ANA, author: Author = Author.bot, at: datetime | None = None
) -> list[int]:
    """Replies waiting in the outbox for a guest, in a new SMS conversation (no inbound message); their row ids."""
    with session_scope() as s:
        assert prop.id is not None
        conversation = Conversation(
            property_id=prop.id, channel="sms", guest_address=guest, property_address=PROPERTY_NUMBER
        )
        s.add(conversation)
        s.flush()
        rows = [
            service.enqueue_reply(s, conversation=conversation, body=body, author=author, now=at or utcnow())
            for body in bodies
        ]
        assert all(row.id is not None for row in rows)
        return [row.id for row in rows if row.id is not None]


def job_of(message_id: int | None) -> Job:
    """The turn job of a stored message."""
    with session_scope() as s:
        return s.exec(select(Job).where(Job.message_id == message_id)).one()


def trace_of(message_id: int | None) -> Trace:
    """The trace of a message's turn."""
    with session_scope() as s:
        return s.exec(select(Trace).join(Job).where(Job.message_id == message_id)).one()


def ask(
    prop: Property, body: str, *, runner: TurnRunner | None = None, author: str | None = None, **where: Unpack[Where]
) -> dict[str, Any]:
    """`guest_says`, then the reply and what the turn recorded: job status, trace, escalations, model calls.

    The reply is the latest message sent after the guest's (whoever wrote it: the bot, a system notice, a staff
    alert), or with `author` that author's first message after it (`author="bot"`: the bot's answer alone).
    """
    message_id = guest_says(prop, body, runner=runner, **where).id
    assert message_id is not None
    with session_scope() as s:
        job = s.exec(select(Job).where(Job.message_id == message_id)).one()
        if author is None:
            reply = s.exec(select(Message).where(Message.direction == "out").order_by(col(Message.id).desc())).first()
            # None when nothing was sent since the guest wrote (`entry_ids` are then the older message's)
            reply_body = reply.body if reply and (reply.id or 0) > message_id else None
        else:
            reply = s.exec(
                select(Message).where(
                    Message.direction == "out", Message.author == author, col(Message.id) > message_id
                )
            ).first()
            reply_body = reply.body if reply else None
        trace = s.exec(select(Trace).where(Trace.job_id == job.id)).one()
        escalations = s.exec(select(Escalation).where(Escalation.message_id == message_id)).all()
        calls = s.exec(select(ModelCall).where(ModelCall.job_id == job.id)).all()
        return {
            "job": job.status,
            "reply": reply_body,
            "entry_ids": reply.entry_ids if reply else [],
            "trace": trace.data,
            "llm": trace.data.get("llm", {}),
            "outcomes": [c["outcome"] for c in trace.data.get("llm", {}).get("calls", [])],
            "escalations": [e.reason for e in escalations],
            "calls": [(c.outcome, c.input_tokens, c.output_tokens, c.cost_usd) for c in calls],
        }


def make_release(
    name: str,
    *,
    providers: str = "offline",
    prompts: dict[str, int] | None = None,
    thresholds: dict[str, float] | None = None,
    active: bool = False,
) -> int:
    """A release (providers, prompt versions, thresholds) stored, and activated with `active`; its id."""
    with session_scope() as s:
        release = release_service.create_release(
            s, name=name, providers=providers, prompts=prompts or {}, thresholds=thresholds or {}, now=utcnow()
        )
        assert release.id is not None
        if active:
            release_service.activate(s, release_id=release.id, now=utcnow())
        return release.id


# -- signing in to the web pages ------------------------------------------------------------------------------

PASSWORD = "correct horse battery"


def add_user(
    email: str, *, role: str = "owner", properties: tuple[str, ...] = ("casa-test",), language: str = "en"
) -> User:
    """Create an account with the standard test password, its pages in `language`."""
    with session_scope() as s:
        return users_service.create_user(
            s, email=email, role=role, password=PASSWORD, property_slugs=list(properties), language=language
        )


def csrf_of(html: str) -> str:
    """The CSRF token a rendered page carries in its forms."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def signed_in_page(client: TestClient, email: str, password: str = PASSWORD, *, next: str = "/admin") -> str:
    """Log in through the form (the browser asks for English); returns the page it lands on, `next`."""
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token, "next": next})
    assert response.status_code == 200, response.text  # followed the redirect to `next`
    return response.text


def sign_in(client: TestClient, email: str, password: str = PASSWORD, *, next: str = "/admin") -> str:
    """Log in through the form; returns a CSRF token of the new session."""
    return csrf_of(signed_in_page(client, email, password, next=next))


def publish_draft(client: TestClient, slug: str = "casa-test", **fields: str) -> Response:
    """Publish the property's draft from its review page as an owner would (confirming the warnings it shows);
    returns the final response (the editor, "Published version N", or the review page with what was refused)."""
    review = client.get(f"/admin/p/{slug}/draft").text
    confirm = re.search(r'name="confirm" value="([^"]*)"', review)
    data = {"csrf_token": csrf_of(review), **({"confirm": confirm.group(1)} if confirm else {}), **fields}
    return client.post(f"/admin/p/{slug}/draft/publish", data=data)


def fill_sign_in(page: Any, email: str) -> None:
    """In a browser (playwright) on the sign-in form: fill it in and submit it."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def console_sign_in(page: Any, server: str, email: str) -> None:
    """In a browser: open the console, sign in, and wait for the escalation queue."""
    page.goto(f"{server}/console")
    fill_sign_in(page, email)
    page.wait_for_selector("h1:has-text('Escalations')")


# -- Twilio: credentials, signed webhooks, the server's environment -------------------------------------------

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-token"


def twilio_env(monkeypatch: pytest.MonkeyPatch, **extra: str) -> None:
    """Twilio credentials (and `extra` settings) in the environment, the settings read again."""
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    for key, value in extra.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()


@contextmanager
def local_twilio(monkeypatch: pytest.MonkeyPatch, **extra: str) -> Iterator[FakeTwilio]:
    """A fake Twilio on loopback, and the settings of this process pointed at it (the in-process sender)."""
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as fake:
        twilio_env(monkeypatch, TWILIO_API_BASE_URL=fake.base_url, **extra)
        yield fake


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send for this URL and form."""
    return str(RequestValidator(token).compute_signature(url, params))


def webhook_form(body: str, *, sender: str = ANA, to: str = PROPERTY_NUMBER, sid: str | None = None) -> dict[str, str]:
    """The form Twilio posts for an inbound message (a new MessageSid unless `sid`)."""
    return {
        "MessageSid": sid or f"SM{uuid.uuid4().hex}",
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "To": to,
        "Body": body,
        "NumMedia": "0",
    }


def post_webhook(
    server: str,
    *,
    body: str,
    sender: str = ANA,
    to: str = PROPERTY_NUMBER,
    sid: str | None = None,
    signature: str | None = "valid",
) -> httpx.Response:
    """Post an inbound message to a running server's webhook, signed (or with `signature`, or none)."""
    params = webhook_form(body, sender=sender, to=to, sid=sid)
    url = f"{server}/twilio/messages"
    headers = {}
    if signature == "valid":
        headers["X-Twilio-Signature"] = sign(url, params)
    elif signature is not None:
        headers["X-Twilio-Signature"] = signature
    return httpx.post(url, data=params, headers=headers, timeout=10)


def guest_writes(server: str, body: str, *, phone: str = ANA, channel: str = "sms") -> None:
    """A guest's message through a running server's signed webhook (SMS or WhatsApp), acknowledged with 200."""
    prefix = "whatsapp:" if channel == "whatsapp" else ""
    response = post_webhook(server, body=body, sender=prefix + phone, to=prefix + PROPERTY_NUMBER)
    assert response.status_code == 200, response.text


def sent_to(fake: FakeTwilio, address: str, count: int = 1, timeout: float = 15) -> list[dict[str, Any]]:
    """The messages the fake Twilio received for `address`, once there are at least `count` of them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in fake.messages if m["to"] == address]
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{count} message(s) to {address} never arrived: {fake.messages}")


def text_by_sms(server: str, fake: FakeTwilio, phone: str, body: str) -> str:
    """A signed SMS webhook from `phone`; returns the reply the fake Twilio received for that phone."""
    before = sum(1 for m in fake.messages if m["to"] == phone)
    guest_writes(server, body, phone=phone)
    return str(sent_to(fake, phone, count=before + 1)[-1]["body"])


def save_parking(client: TestClient, *, keywords: str) -> None:
    """Save the test property's parking entry in the draft as the admin editor posts it: its text as imported,
    these keywords ("es: autocaravana\nen: camper van")."""
    form = {
        "csrf_token": csrf_of(client.get("/admin/p/casa-test/entries/parking").text),
        "topic": "parking",
        "title": "Parking",
        "languages": "es,en",
        "content.es": "Plaza 14 en el garaje de la calle Mar 3.",
        "content.en": "Space 14 in the garage at Calle Mar 3.",
        "keywords": keywords,
    }
    assert client.post("/admin/p/casa-test/entries/parking", data=form, follow_redirects=False).status_code == 303


def server_env(database_url: str, twilio_base_url: str, **extra: str) -> dict[str, str]:
    """The environment of a test server: this database, the fake Twilio, the worker polling fast."""
    return {
        "DATABASE_URL": database_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_API_BASE_URL": twilio_base_url,
        "WORKER_IN_PROCESS": "true",
        "WORKER_POLL_SECONDS": "0.05",
        **extra,
    }


# -- processes and ports --------------------------------------------------------------------------------------


def concierge(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the `concierge` command as an operator would: a real process on this environment's database."""
    return subprocess.run(
        [sys.executable, "-m", "concierge.cli", *args],
        cwd=ROOT,
        env=os.environ.copy(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(handler: Any) -> Iterator[Controller]:
    """A local SMTP server (aiosmtpd) for one test. Its INFO lines ("connection lost") are quieted while it runs: its
    thread may write them after the test's captured output stream is closed ("Logging error" in the CI log)."""
    log = logging.getLogger("mail.log")
    level = log.level
    log.setLevel(logging.WARNING)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()
        log.setLevel(level)


# -- the dashboard's traffic ----------------------------------------------------------------------------------

CARLA, DAVE, EVE = "+33612345678", "+4915112345678", "+447700900555"  # guests without a booking


class ScriptedRouter:
    """The offline answer, reported as if the provider chain had taken `route` with these model calls."""

    uses_models = False

    def __init__(self, route: str, calls: list[dict[str, Any]], responder: str = "offline") -> None:
        self.route, self.calls, self.responder = route, calls, responder

    def respond(self, request: ResponseRequest) -> TurnResponse:
        answer = offline.respond(request)
        cost = sum(c.get("cost_usd", 0.0) for c in self.calls)
        return replace(answer, route=self.route, calls=self.calls, cost_usd=cost, responder=self.responder)


class BrokenRouter:
    """A responder that always fails: the job fails for good and the guest gets the canned reply."""

    uses_models = False

    def respond(self, request: ResponseRequest) -> TurnResponse:
        raise RuntimeError("provider chain exploded")


def _conversation_of(s: Session, prop: Property, phone: str) -> int | None:
    for channel, address in (("sms", phone), ("whatsapp", f"whatsapp:{phone}"), ("simulator", phone)):
        assert prop.id is not None
        found = service.find_conversation(s, property_id=prop.id, channel=channel, guest_address=address)
        if found is not None:
            return found.id
    return None


def _escalation_of(prop: Property, phone: str) -> int:
    with session_scope() as s:
        found = [
            e.id
            for e in s.exec(select(Escalation).order_by(col(Escalation.id)))
            if e.property_id == prop.id and e.conversation_id == _conversation_of(s, prop, phone)
        ]
    assert found and found[0] is not None
    return found[0]


def seed_traffic(monkeypatch: pytest.MonkeyPatch, at: datetime) -> tuple[Property, Property]:
    """Ten guest messages on three channels at casa-test, one at casa-b; staff claim, reply and resolve.

    The test pack's parking entry names "Mediterrani" here (a plausible but unsure match: a clarifying question).
    """
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    monkeypatch.setenv("JOB_MAX_ATTEMPTS", "1")
    get_settings.cache_clear()
    knowledge = pack_data()["knowledge"]
    for entry in knowledge:
        if entry["topic"] == "parking":
            entry["content"] = {"es": "Recomendamos el Parking Mediterrani.", "en": "We recommend Parking Mediterrani."}
    prop = make_property(knowledge=knowledge)
    prop_b = other_property()
    runner = TurnRunner(get_settings(), now=lambda: at)
    offline_router = runner.router

    def turn(on: Property, body: str, *, phone: str, channel: str) -> None:
        to = f"whatsapp:{PROPERTY_NUMBER}" if channel == "whatsapp" else PROPERTY_NUMBER
        guest_says(
            on, body, phone=phone, channel=channel, to=to if on is prop else OTHER_PROPERTY_NUMBER, at=at, runner=runner
        )

    runner.router = ScriptedRouter(  # type: ignore[assignment]
        "model", [{"provider": "openai:gpt-4o-mini", "outcome": "ok", "attempt": 1, "cost_usd": 0.003}]
    )
    turn(prop, "¿cuál es la contraseña del wifi?", phone=ANA, channel="simulator")
    runner.router = offline_router
    turn(prop, "¿hay un gimnasio cerca?", phone=ANA, channel="simulator")
    turn(prop, "Is there a gym nearby?", phone=JOHN, channel="sms")
    turn(prop, "Where is the nearest gym?", phone=JOHN, channel="sms")
    runner.router = ScriptedRouter("fallback", [{"provider": "openai:gpt-4o-mini", "outcome": "timeout", "attempt": 1}])  # type: ignore[assignment]
    turn(prop, "where can I park?", phone=JOHN, channel="sms")
    runner.router = offline_router
    turn(prop, "Je voudrais parler à une personne, s'il vous plaît", phone=CARLA, channel="whatsapp")
    turn(prop, "bonjour ?", phone=CARLA, channel="whatsapp")  # staff own it now: recorded only
    runner.router = BrokenRouter()  # type: ignore[assignment]
    turn(prop, "Wo kann ich parken?", phone=DAVE, channel="sms")
    runner.router = offline_router
    turn(prop, "what time is check-in?", phone=EVE, channel="simulator")
    turn(prop, "mediterrani?", phone=EVE, channel="simulator")
    turn(prop_b, "is there a gym nearby?", phone=JOHN, channel="sms")
    john, carla = _escalation_of(prop, JOHN), _escalation_of(prop, CARLA)
    with session_scope() as s:
        escalation_service.claim(s, escalation_id=john, staff_id="7", now=at + timedelta(minutes=10))
        escalation_service.claim(s, escalation_id=carla, staff_id="7", now=at + timedelta(minutes=4))
        carla_conversation = _conversation_of(s, prop, CARLA)
        assert carla_conversation is not None
        staff_service.staff_reply(
            s, conversation_id=carla_conversation, staff_id="7", body="Bonjour, ici Marta.", now=at
        )
        escalation_service.resolve(s, escalation_id=carla, staff_id="7", note="answered", now=at)
    return prop, prop_b
