"""The turn graph on a real database: retrieval, language, secrets policy, escalation, staff ownership."""

import pytest
from sqlmodel import select

from concierge.conversation.models import Conversation, JobStatus, Outbox
from concierge.core.db import session_scope
from knowledge.models import Property
from tests.factories import ask


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("wiifi pasword", "wifi"),
        ("cual es la contraseña del wifi?", "wifi"),
        ("¿a qué hora es el check-in?", "check_in"),
        ("where can I park the car?", "parking"),
        ("is there a pool", "pool"),
    ],
)
def test_offline_responder_finds_the_entry(prop: Property, question: str, topic: str) -> None:
    result = ask(prop, question)
    assert result["job"] == JobStatus.done
    assert result["entry_ids"] == [topic]
    assert result["trace"]["selected"][0] == topic


def test_answers_in_the_guests_language(prop: Property) -> None:
    result = ask(prop, "what is the wifi password?", phone="+447700900123")
    assert result["reply"] == "Network CasaTest-5G, password sol-y-mar-2024."
    assert result["trace"]["language"] == "en"


def test_spanish_guest_gets_spanish_content(prop: Property) -> None:
    assert ask(prop, "contraseña wifi")["reply"] == "Red CasaTest-5G, contraseña sol-y-mar-2024."


def test_missing_translation_gets_localized_preface(prop: Property) -> None:
    reply = ask(prop, "what time does the pool open?", phone="+447700900123")["reply"]
    assert reply.startswith("This information is only available in Spanish:")
    assert "10:00 a 20:00" in reply


def test_unmatched_question_escalates_politely(prop: Property) -> None:
    result = ask(prop, "can you recommend a babysitter for saturday night?", phone="+447700900123")
    assert "A member of our team will follow up" in result["reply"]
    assert result["escalations"] == ["no_answer"]
    assert result["trace"]["decision"] == "reply_escalate"


def test_access_code_only_for_booked_guest_inside_window(prop: Property) -> None:
    inside = ask(prop, "what is the door code?")  # Ana: stay started yesterday
    assert "4821" in inside["reply"]
    early = ask(prop, "what is the door code?", phone="+447700900123")  # John: arrives in 20 days
    assert "4821" not in early["reply"]
    assert "24 hours before check-in" in early["reply"]
    stranger = ask(prop, "what is the door code?", phone="+15550001111")
    assert "4821" not in stranger["reply"]
    assert stranger["escalations"] == ["access_request"]


def test_empty_message_gets_a_gentle_reply(prop: Property) -> None:
    result = ask(prop, "   ")
    assert result["trace"]["verdict"] == "empty"
    assert result["reply"]
    assert result["escalations"] == []


def test_greeting_is_answered_without_escalation(prop: Property) -> None:
    result = ask(prop, "hello", phone="+447700900123")
    assert "virtual concierge of Casa Test" in result["reply"]
    assert result["escalations"] == []


def test_staff_owned_conversation_is_recorded_not_answered(prop: Property) -> None:
    ask(prop, "hola")
    with session_scope() as s:
        conversation = s.exec(select(Conversation)).one()
        conversation.owner = "staff:1"
    result = ask(prop, "wifi?")
    assert result["job"] == JobStatus.done
    assert result["reply"] is None
    assert result["trace"]["decision"] == "record_only"
    with session_scope() as s:
        assert len(s.exec(select(Outbox)).all()) == 1  # only the greeting's reply


def test_trace_never_contains_the_guests_text(prop: Property) -> None:
    trace = ask(prop, "wiifi pasword for +34611111111")["trace"]
    assert "pasword" not in str(trace) and "611111111" not in str(trace)
    assert [n["node"] for n in trace["nodes"]] == [
        "load_context",
        "detect_language",
        "screen_input",
        "retrieve",
        "respond",
        "check_output",
        "decide",
    ]
