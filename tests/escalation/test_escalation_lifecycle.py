"""The hand-off lifecycle on a real database: person requests, ownership races, hand-back without loops, SLA."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from concierge.channels.sender import Sender
from concierge.conversation import service
from concierge.conversation.models import Author, Conversation, Message, Outbox, OutboxStatus, Owner
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.turn.result import TurnResult
from concierge.turn.runner import TurnRunner
from escalation import handoff, notify
from escalation import service as escalation_service
from escalation import staff as staff_service
from escalation.models import Escalation, EscalationStatus
from escalation.person_requests import asks_for_person
from knowledge.models import Property
from tests import factories
from tests.factories import ANA, local_twilio, make_property, pack_data, store
from tests.fakes.twilio_api import FakeTwilio

GUEST = ANA
STAFF = [
    {"name": "Marta Ruiz", "phone": "+34600000001", "role": "host", "languages": ["es", "en"]},
    {"name": "Tom Baker", "phone": "+34600000002", "role": "cleaner", "languages": ["en"]},
]


@pytest.fixture
def two_staff(database_url: str) -> Property:
    return make_property(staff=STAFF)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    with local_twilio(monkeypatch) as fake:
        yield fake


def guest_says(prop: Property, body: str, **kwargs: Any) -> str | None:
    """Store a guest message, run its turn; the text queued to the guest by that turn, if any."""
    message = factories.guest_says(prop, body, **kwargs)
    with session_scope() as s:
        reply = s.exec(
            select(Outbox).where(Outbox.conversation_id == message.conversation_id, col(Outbox.message_id) > message.id)
        ).first()
        return reply.body if reply else None


def conversation() -> Conversation:
    with session_scope() as s:
        return s.exec(select(Conversation).where(Conversation.guest_address.in_([GUEST, f"whatsapp:{GUEST}"]))).one()  # type: ignore[attr-defined]


def escalations() -> list[Escalation]:
    with session_scope() as s:
        return list(s.exec(select(Escalation).order_by(col(Escalation.id))))


def staff_alerts() -> list[Outbox]:
    with session_scope() as s:
        return list(s.exec(select(Outbox).where(col(Outbox.to_address).like("+346000%")).order_by(col(Outbox.id))))


def drain(sender: Sender) -> None:
    while sender.send_next():
        pass


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Can I talk to a person please?", "en"),
        ("quiero hablar con una persona", "es"),
        ("Je voudrais parler à quelqu'un", "fr"),
        ("Ich möchte mit einem Menschen sprechen", "de"),
        ("posso parlare con una persona?", "it"),
        ("quero falar com uma pessoa", "pt"),
        ("ik wil met iemand praten", "nl"),
        ("chcę porozmawiać z człowiekiem", "pl"),
        ("スタッフと話したいです", "ja"),
        ("我要转人工", "zh"),
    ],
)
def test_person_request_is_recognised_in_every_language(text: str, language: str) -> None:
    assert asks_for_person(text), language


@pytest.mark.parametrize("text", ["is there a personal safe?", "wifi password", "how many persons fit?", "hola"])
def test_ordinary_questions_are_not_person_requests(text: str) -> None:
    assert not asks_for_person(text)


def test_asking_for_a_person_escalates_answers_in_language_and_alerts_staff(prop: Property) -> None:
    # ("quiero hablar con una persona" alone is detected as Italian today: "con una" weighs more than "quiero")
    reply = guest_says(prop, "por favor, quiero hablar con alguien")
    assert reply is not None and "15 minutos" in reply  # the high-urgency SLA, in Spanish
    [escalation] = escalations()
    assert (escalation.reason, escalation.urgency, escalation.status) == ("human_requested", "high", "open")
    assert escalation.language == "es" and escalation.next_check_at is not None
    assert conversation().owner == Owner.unassigned
    [alert] = staff_alerts()
    assert alert.to_address == "+34600000001" and alert.from_address == "+15005550006"
    assert alert.author == Author.system
    assert f"/console/conversations/{escalation.conversation_id}" in alert.body
    assert "el huésped pidió hablar con una persona" in alert.body  # Marta reads Spanish
    assert "quiero hablar con alguien" not in alert.body  # no guest words reach staff (they read the console)
    assert alert.body.endswith("Huésped: Ana")  # the first name from the booking
    # The guest's answer leaves although people own the chat now: it is the hand-off notice, not bot chatter.
    with session_scope() as s:
        notice = s.exec(select(Outbox).where(Outbox.to_address == GUEST)).one()
    assert notice.author == Author.system


def test_while_people_own_the_chat_the_bot_only_records(prop: Property) -> None:
    guest_says(prop, "talk to a person")
    assert guest_says(prop, "wifi password?") is None
    assert len(escalations()) == 1


def test_quiet_hours_defer_the_alert_and_tell_the_guest_when(prop: Property) -> None:
    now = utcnow()
    with session_scope() as s:
        assert prop.id is not None
        local = now.astimezone(notify.ZoneInfo(prop.timezone))
        start, end = (local - timedelta(hours=1)).strftime("%H:%M"), (local + timedelta(hours=2)).strftime("%H:%M")
        notify.set_quiet_hours(s, property_id=prop.id, start=start, end=end)
    reply = guest_says(prop, "talk to a person")
    assert reply is not None and end in reply
    [escalation] = escalations()
    assert staff_alerts() == [] and escalation.notify_round == 0 and escalation.next_check_at is not None
    with session_scope() as s:  # when quiet hours end, the first alert goes out
        assert notify.check_sla(s, now=escalation.next_check_at + timedelta(seconds=1)) == 1
    assert len(staff_alerts()) == 1


def test_emergency_alerts_staff_at_once_even_in_quiet_hours(prop: Property) -> None:
    message_id = store(prop, "there is smoke in the kitchen").id
    with session_scope() as s:
        assert prop.id is not None
        notify.set_quiet_hours(s, property_id=prop.id, start="00:00", end="23:59")
        conv = s.get_one(Conversation, s.get_one(Message, message_id).conversation_id)
        escalation = escalation_service.open_escalation(
            s, conversation=conv, message_id=message_id, reason="emergency", now=utcnow()
        )
        assert escalation is not None and escalation.urgency == "emergency"
    [alert] = staff_alerts()
    assert alert.body.startswith("EMERGENCIA") and "smoke in the kitchen" not in alert.body


def test_staff_reply_during_an_in_flight_turn_is_never_followed_by_the_bot(fake: FakeTwilio, prop: Property) -> None:
    """The turn read "bot" when it started; a person replied before it finished: only the person is heard."""
    store(prop, "wifi password?")
    runner = TurnRunner(get_settings())
    original = runner.run_turn

    def turn_while_staff_replies(message_id: int) -> TurnResult:
        result = original(message_id)  # the bot's answer is ready, not yet recorded
        with session_scope() as s:
            staff_service.staff_reply(
                s, conversation_id=conversation().id or 0, staff_id="7", body="Hola Ana, soy Marta.", now=utcnow()
            )
        return result

    runner.run_turn = turn_while_staff_replies  # type: ignore[method-assign]
    assert runner.run_next()
    drain(Sender(get_settings(), now=utcnow))
    assert [m["body"] for m in fake.messages] == ["Hola Ana, soy Marta."]
    assert conversation().owner == "staff:7"
    with session_scope() as s:  # the late bot answer is not even written to the transcript
        assert [m.author for m in service.conversation_messages(s, conversation_id=conversation().id or 0)] == [
            "guest",
            "staff",
        ]


def test_bot_reply_queued_before_the_staff_reply_leaves_first_or_not_at_all(fake: FakeTwilio, prop: Property) -> None:
    guest_says(prop, "wifi password?")  # the bot's reply is queued, not sent
    with session_scope() as s:
        staff_service.staff_reply(
            s, conversation_id=conversation().id or 0, staff_id="7", body="Soy Marta", now=utcnow()
        )
    drain(Sender(get_settings(), now=utcnow))
    assert [m["body"] for m in fake.messages] == ["Soy Marta"]  # the bot's queued answer was cancelled
    with session_scope() as s:
        statuses = [r.status for r in s.exec(select(Outbox).order_by(col(Outbox.id)))]
    assert statuses == [OutboxStatus.cancelled, OutboxStatus.sent]


def test_hand_back_then_the_same_complaint_does_not_loop(prop: Property) -> None:
    first = guest_says(prop, "the heating in the bedroom is broken")
    assert first is not None
    [opened] = escalations()
    # Screening files it as damage (normal urgency): the bot keeps answering FAQs.
    assert opened.reason == "policy:damage" and conversation().owner == "bot"
    now = utcnow()
    with session_scope() as s:
        escalation_service.claim(s, escalation_id=opened.id or 0, staff_id="7", now=now)
        staff_service.staff_reply(
            s, conversation_id=opened.conversation_id, staff_id="7", body="A technician comes at 17:00", now=now
        )
        escalation_service.hand_back(
            s, conversation_id=opened.conversation_id, staff_id="7", note="Technician booked for 17:00", now=now
        )
    [closed] = escalations()
    assert closed.status == EscalationStatus.resolved and closed.handed_back
    assert closed.claimed_at is not None and closed.resolved_at is not None
    assert closed.resolution_note == "Technician booked for 17:00"
    assert conversation().owner == "bot"

    again = guest_says(prop, "the heating is still broken in the bedroom")
    assert len(escalations()) == 1  # no second hand-off for the same complaint
    assert again is not None and "already looked into this" in again  # the guest wrote English
    assert guest_says(prop, "wifi password?") is not None  # the bot answers the next question

    guest_says(prop, "water is leaking from the bathroom ceiling")  # something new
    assert len(escalations()) == 2 and escalations()[-1].reason != "policy:damage"
    assert escalations()[-1].status == EscalationStatus.open


def test_asking_for_a_person_after_hand_back_always_escalates(prop: Property) -> None:
    guest_says(prop, "talk to a person")
    with session_scope() as s:
        escalation_service.hand_back(s, conversation_id=conversation().id or 0, staff_id="7", note="done", now=utcnow())
    guest_says(prop, "talk to a person")
    assert [e.status for e in escalations()] == [EscalationStatus.resolved, EscalationStatus.open]


def test_second_claim_by_someone_else_is_refused(prop: Property) -> None:
    guest_says(prop, "talk to a person")
    [escalation] = escalations()
    with session_scope() as s:
        escalation_service.claim(s, escalation_id=escalation.id or 0, staff_id="7", now=utcnow())
    with session_scope() as s, pytest.raises(escalation_service.EscalationConflict):
        escalation_service.claim(s, escalation_id=escalation.id or 0, staff_id="8", now=utcnow())
    with session_scope() as s, pytest.raises(escalation_service.EscalationConflict):
        staff_service.staff_reply(s, conversation_id=escalation.conversation_id, staff_id="8", body="hi", now=utcnow())
    assert conversation().owner == "staff:7"


def test_unclaimed_escalation_renotifies_next_staff_and_tells_guest_once(two_staff: Property) -> None:
    guest_says(two_staff, "quiero hablar con una persona")  # Ana writes Spanish: her notices are in Spanish
    [escalation] = escalations()
    assert [a.to_address for a in staff_alerts()] == ["+34600000001"]
    assert escalation.next_check_at is not None
    with session_scope() as s:
        assert notify.check_sla(s, now=escalation.next_check_at - timedelta(seconds=1)) == 0
    with session_scope() as s:
        assert notify.check_sla(s, now=escalation.next_check_at + timedelta(seconds=1)) == 1
    alerts = staff_alerts()
    assert [a.to_address for a in alerts] == ["+34600000001", "+34600000001", "+34600000002"]
    assert alerts[1].body.startswith("Recordatorio") and alerts[2].body.startswith("Reminder")  # each in their language
    with session_scope() as s:
        guest_notices = s.exec(
            select(Outbox).where(Outbox.to_address == GUEST, Outbox.author == Author.system).order_by(col(Outbox.id))
        ).all()  # in order: PostgreSQL returns rows in any order without one
    assert len(guest_notices) == 2 and "en camino" in guest_notices[1].body
    later = escalations()[0].next_check_at
    assert later is not None
    with session_scope() as s:  # a claim stops the timers
        escalation_service.claim(s, escalation_id=escalation.id or 0, staff_id="7", now=utcnow())
        assert notify.check_sla(s, now=later + timedelta(hours=1)) == 0


def test_handoff_card_has_the_whole_situation(prop: Property) -> None:
    guest_says(prop, "wifi password?")
    guest_says(prop, "what is the door code?", phone="+34699999999")  # another sender: refused
    guest_says(prop, "por favor, quiero hablar con alguien")
    [escalation] = [e for e in escalations() if e.reason == "human_requested"]
    with session_scope() as s:
        card = handoff.build_card(s, escalation=s.get_one(Escalation, escalation.id), today=utcnow().date())
    assert card.trigger == "por favor, quiero hablar con alguien"
    assert card.reservation is not None and card.reservation.guest_name == "Ana López"
    assert card.cited == ["wifi"]
    assert card.promised == []  # the hand-off notice ("una persona te responderá…") commits the house to nothing
    assert [m.author for m in card.transcript] == ["guest", "bot", "guest", "system"]
    assert "Ana López" in escalation.summary and "human_requested" in escalation.summary


def test_whatsapp_reply_outside_24_hours_is_refused(prop: Property) -> None:
    store(prop, "hola", channel="whatsapp")
    conv = conversation()
    with session_scope() as s, pytest.raises(staff_service.WindowClosed):
        staff_service.staff_reply(
            s, conversation_id=conv.id or 0, staff_id="7", body="hi", now=utcnow() + timedelta(hours=25)
        )
    with session_scope() as s:
        staff_service.staff_reply(s, conversation_id=conv.id or 0, staff_id="7", body="hi", now=utcnow())


def test_pack_staff_languages_pick_the_alert_language(database_url: str) -> None:
    prop = make_property(**{**pack_data(), "staff": [STAFF[1]]})
    guest_says(prop, "talk to a person")
    [alert] = staff_alerts()
    assert alert.body.startswith("High priority at Casa Test: the guest asked for a person.")
