"""Nobody is left alone: a conversation a person owns is still screened; emergencies are answered at once and
raised, a waiting guest hears that the team has their message, and safety guidance comes first and alone."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlmodel import col, select

from concierge.conversation import service
from concierge.conversation.models import Author, Conversation, Message, Outbox, Trace
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.ops import reports
from concierge.turn.runner import TurnRunner
from escalation import notify
from escalation import service as escalation_service
from escalation import staff as staff_service
from escalation.models import Escalation, EscalationStatus
from knowledge.models import Property
from tests.factories import make_property, pack_data

ANA = "+34611111111"  # booked, writes Spanish
JOHN = "+447700900123"  # booked, writes English
STAFF_PHONE = "+34600000001"  # Marta, the on-call host
EMERGENCY_NUMBER = "061"  # the property's own emergency number (not the default 112)

KITCHEN = "Kitchen: induction hob, oven, microwave, fridge, dishwasher, kettle and a Nespresso machine."
LAUNDRY = "The washing machine is in the bathroom; detergent is in the cupboard above it."
EMERGENCY_ENTRY = "The main gas valve and the main water tap are in the cupboard under the kitchen sink."
ACK_EN = "Your message is with our team, and a person will reply to you here as soon as they can."
ACK_ES = "Tu mensaje está con nuestro equipo, y una persona te responderá aquí en cuanto pueda."
NOTICE = "I have alerted our team again and a person is on the way."


@dataclass
class Turn:
    replies: list[Message]  # what the guest was sent by this turn, in order
    trace: dict[str, object]


@pytest.fixture
def house(database_url: str) -> Property:
    """The test property with a kitchen, a laundry and an emergency entry, and its own emergency number."""
    knowledge = pack_data()["knowledge"] + [
        {"topic": "kitchen", "title": "Kitchen", "content": {"en": KITCHEN}},
        {"topic": "laundry", "title": "Laundry", "content": {"en": LAUNDRY}},
        {"topic": "emergency", "title": "Emergencies", "content": {"en": EMERGENCY_ENTRY}},
    ]
    return make_property(knowledge=knowledge, policy={"emergency_number": EMERGENCY_NUMBER})


def say(prop: Property, body: str, *, at: datetime, phone: str = JOHN, channel: str = "sms") -> Turn:
    """A guest writes at `at`; the turn runs on a clock stopped at that moment."""
    whatsapp = channel == "whatsapp"
    with session_scope() as s:
        message = service.receive(
            s,
            prop=prop,
            channel=channel,
            guest_address=f"whatsapp:{phone}" if whatsapp else phone,
            property_address="whatsapp:+15005550006" if whatsapp else "+15005550006",
            body=body,
            now=at,
        )
        assert message is not None and message.id is not None
        message_id, conversation_id = message.id, message.conversation_id
    assert TurnRunner(get_settings(), now=lambda: at).run_next()
    with session_scope() as s:
        replies = list(
            s.exec(
                select(Message)
                .where(
                    Message.conversation_id == conversation_id,
                    Message.direction == "out",
                    col(Message.id) > message_id,
                )
                .order_by(col(Message.id))
            )
        )
        trace = s.exec(select(Trace).order_by(col(Trace.id).desc())).first()
        assert trace is not None
        return Turn(replies=replies, trace=trace.data)


def the_escalation() -> Escalation:
    with session_scope() as s:
        return s.exec(select(Escalation)).one()


def staff_sms() -> list[str]:
    with session_scope() as s:
        return list(s.exec(select(Outbox.body).where(Outbox.to_address == STAFF_PHONE).order_by(col(Outbox.id))))


def conversation_id(phone: str = JOHN) -> int:
    with session_scope() as s:
        conversation = s.exec(select(Conversation).where(col(Conversation.guest_address).endswith(phone))).one()
        assert conversation.id is not None
        return conversation.id


def claim(at: datetime, staff_id: str = "7") -> None:
    with session_scope() as s:
        escalation = s.exec(select(Escalation)).one()
        assert escalation.id is not None
        escalation_service.claim(s, escalation_id=escalation.id, staff_id=staff_id, now=at)


# -- 1. an emergency while a person owns the conversation --------------------------------------------------------


@pytest.mark.parametrize("claimed", [False, True], ids=["nobody-claimed-yet", "claimed-by-staff"])
def test_fire_after_a_handoff_gets_guidance_at_once_and_alerts_staff_again(house: Property, claimed: bool) -> None:
    t0 = utcnow()
    handoff = say(house, "I want to talk to a person please", at=t0)
    assert handoff.trace["escalate"] == "human_requested"
    assert len(staff_sms()) == 1
    if claimed:
        claim(t0 + timedelta(minutes=1))

    fire = say(
        house, "FIRE! There is a fire in the kitchen and smoke everywhere, what do I do?", at=t0 + timedelta(minutes=2)
    )

    assert fire.replies and {r.author for r in fire.replies} == {Author.system}  # leaves although a person owns it
    text = "\n\n".join(r.body for r in fire.replies)  # SMS parts of one reply, in order
    assert text.startswith("If there is a fire, leave the apartment now") and EMERGENCY_NUMBER in text
    assert KITCHEN not in text
    if not claimed:  # nobody took it yet: "a person is on the way", after the guidance
        assert text.index("leave the apartment now") < text.index(NOTICE)
    assert fire.trace["decision"] == "reply_escalate" and fire.trace["reply"]["sent"]  # type: ignore[index]
    escalation = the_escalation()
    assert escalation.urgency == "emergency"
    assert escalation.status == EscalationStatus.open  # the SLA runs until someone claims it again
    assert escalation.notify_round == 2
    assert escalation.next_check_at is not None
    assert escalation.next_check_at.replace(tzinfo=None) == (t0 + timedelta(minutes=7)).replace(tzinfo=None)
    assert [r["reason"] for r in escalation.reasons] == ["policy:fire"]
    alerts = staff_sms()
    assert len(alerts) == 2  # a fresh alert in Marta's language, not "reminder, nobody has replied yet"
    assert alerts[1].startswith(notify.urgency_label("emergency", "es"))
    with session_scope() as s:
        assert s.get_one(Conversation, conversation_id()).owner == ("staff:7" if claimed else "unassigned-human")


def test_emergency_after_staff_took_over_without_an_escalation_opens_one(house: Property) -> None:
    t0 = utcnow()
    say(house, "hi, is there parking?", at=t0)
    with session_scope() as s:
        escalation_service.take_over(s, conversation_id=conversation_id(), staff_id="7", now=t0)
    flood = say(house, "help, water is coming through the ceiling in the bathroom!!", at=t0 + timedelta(minutes=1))
    [reply] = flood.replies
    assert EMERGENCY_NUMBER in reply.body and reply.author == Author.system
    escalation = the_escalation()
    assert escalation.urgency == "emergency" and escalation.reason == "policy:flood"
    assert len(staff_sms()) == 1


def test_other_messages_while_a_person_owns_the_chat_are_only_recorded(house: Property) -> None:
    t0 = utcnow()
    say(house, "can I talk to a person", at=t0)
    later = say(
        house, "also, can you give me a refund for last night? the wifi was terrible", at=t0 + timedelta(minutes=1)
    )
    assert later.replies == []
    assert later.trace["decision"] == "record_only" and later.trace["verdict"] == "waiting"
    escalation = the_escalation()
    assert escalation.urgency == "high" and escalation.reasons == []
    assert len(staff_sms()) == 1


def test_staff_alert_thread_is_never_screened_nor_answered(house: Property) -> None:
    t0 = utcnow()
    say(house, "can I talk to a person", at=t0)
    marta = say(house, "fire drill at 5, ignore the alarm", at=t0 + timedelta(minutes=5), phone=STAFF_PHONE)
    assert marta.replies == [] and marta.trace["decision"] == "record_only"
    assert the_escalation().urgency == "high"


# -- 2. a guest waiting for a person is acknowledged ------------------------------------------------------------


def test_waiting_guest_hears_once_that_the_team_has_the_message(house: Property) -> None:
    t0 = utcnow()
    say(house, "can I talk to a person", at=t0)
    assert say(house, "hello?", at=t0 + timedelta(minutes=1)).replies == []  # the hand-off notice is recent

    first = say(house, "hello?", at=t0 + timedelta(minutes=3))
    [ack] = first.replies
    assert ack.body == ACK_EN and ack.author == Author.system
    assert first.trace["verdict"] == "waiting" and first.trace["decision"] == "acknowledge"
    assert first.trace["reply"]["sent"]  # type: ignore[index]

    assert say(house, "hello?", at=t0 + timedelta(minutes=4)).replies == []  # within the interval
    assert say(house, "anyone there??", at=t0 + timedelta(minutes=20)).replies == []
    [again] = say(house, "still waiting...", at=t0 + timedelta(minutes=34)).replies
    assert again.body == ACK_EN
    with session_scope() as s:
        outbox = s.exec(select(Outbox).where(Outbox.message_id == ack.id)).one()
        assert outbox.status == "pending"  # queued for delivery like any reply, not cancelled for the owner


def test_acknowledgement_is_in_the_guests_language_and_waits_after_a_staff_message(house: Property) -> None:
    t0 = utcnow()
    say(house, "hola, puedo hablar con una persona?", at=t0, phone=ANA)
    with session_scope() as s:
        staff_service.staff_reply(
            s,
            conversation_id=conversation_id(ANA),
            staff_id="7",
            body="Hola Ana, soy Marta.",
            now=t0 + timedelta(minutes=5),
        )
    assert say(house, "hola?", at=t0 + timedelta(minutes=6), phone=ANA).replies == []  # Marta wrote a minute ago
    [ack] = say(house, "hola? sigues ahí?", at=t0 + timedelta(minutes=8), phone=ANA).replies
    assert ack.body == ACK_ES


def test_acknowledgement_settings_are_read(house: Property, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_ACK_MINUTES", "10")
    monkeypatch.setenv("HANDOFF_ACK_INTERVAL_MINUTES", "60")
    get_settings.cache_clear()
    t0 = utcnow()
    say(house, "can I talk to a person", at=t0)
    assert say(house, "hello?", at=t0 + timedelta(minutes=5)).replies == []
    assert len(say(house, "hello?", at=t0 + timedelta(minutes=11)).replies) == 1
    assert say(house, "hello?", at=t0 + timedelta(minutes=45)).replies == []


# -- 3. order and focus ---------------------------------------------------------------------------------------


def test_guidance_comes_before_the_notice_in_one_message(house: Property) -> None:
    t0 = utcnow()
    opened = say(house, "can you recommend a babysitter for saturday night?", at=t0, channel="whatsapp")
    assert opened.trace["escalate"] == "no_answer"  # a normal escalation: the bot keeps answering
    later = t0 + timedelta(minutes=3)
    gas = say(house, "there's a strong gas smell in the kitchen, what should I do??", at=later, channel="whatsapp")
    [reply] = gas.replies  # one message: the notice is not sent on its own, before the guidance
    assert "If you smell gas" in reply.body and NOTICE in reply.body
    assert reply.body.index("If you smell gas") < reply.body.index(NOTICE)
    escalation = the_escalation()
    assert escalation.urgency == "emergency" and escalation.guest_told_at is not None


@pytest.mark.parametrize(
    ("message", "guidance", "unrelated"),
    [
        ("there's a gas smell in the kitchen", "If you smell gas", KITCHEN),
        ("the kitchen smells of gas, is it the oven?", "If you smell gas", KITCHEN),
        ("water is pouring out of the washing machine and the bathroom is flooding", "If water is leaking", LAUNDRY),
    ],
)
def test_emergency_guidance_is_not_followed_by_unrelated_entries(
    house: Property, message: str, guidance: str, unrelated: str
) -> None:
    [reply] = say(house, message, at=utcnow()).replies
    assert reply.body.startswith(guidance)
    assert unrelated not in reply.body
    assert not set(reply.entry_ids) - {"emergency"}


def test_emergency_guidance_may_quote_the_propertys_emergency_entry(house: Property) -> None:
    [reply] = say(house, "gas leak in the apartment!! what do I do", at=utcnow(), channel="whatsapp").replies
    assert reply.body.startswith("If you smell gas")
    assert EMERGENCY_ENTRY in reply.body and reply.entry_ids == ["emergency"]


def test_repeated_emergency_after_a_hand_back_is_never_already_handled(house: Property) -> None:
    t0 = utcnow()
    say(house, "there is smoke coming from the oven, fire!", at=t0)
    with session_scope() as s:
        escalation_service.hand_back(s, conversation_id=conversation_id(), staff_id="7", note="fire out", now=t0)
    [again] = say(house, "there is smoke coming from the oven, fire!", at=t0 + timedelta(minutes=30)).replies
    assert "leave the apartment now" in again.body
    with session_scope() as s:
        assert len(s.exec(select(Escalation)).all()) == 2


def test_an_acknowledgement_is_not_counted_as_the_bots_answer(house: Property) -> None:
    t0 = utcnow()
    say(house, "can I talk to a person", at=t0)
    assert say(house, "hello?", at=t0 + timedelta(minutes=3)).replies  # acknowledged
    with session_scope() as s:
        stats = reports.period_stats(s, since=t0 - timedelta(hours=1), until=t0 + timedelta(hours=1))
    assert (stats.turns, stats.answered, stats.escalated) == (1, 0, 1)  # only the hand-off
