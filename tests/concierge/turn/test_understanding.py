"""Turns that must not guess: a clarifying question on the trace, and long SMS replies split in order."""

from sqlmodel import col, select

from concierge.conversation import outbox
from concierge.conversation.models import Outbox
from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from escalation.models import Escalation
from knowledge.models import Property
from tests.factories import JOHN, ask, make_property, pack_data


def parking_with_a_name() -> Property:
    """The test pack, its parking entry naming a car park ("Mediterrani") that no lexicon knows."""
    data = pack_data()
    for entry in data["knowledge"]:
        if entry["topic"] == "parking":
            entry["content"] = {
                "es": "Recomendamos el Parking Mediterrani, a 4 minutos.",
                "en": "We recommend Parking Mediterrani, 4 minutes away.",
            }
    return make_property(knowledge=data["knowledge"])


def test_plausible_but_unsure_asks_one_clarifying_question() -> None:
    # "Mediterrani" appears only in the parking entry's text: plausible, not sure enough to answer.
    result = ask(parking_with_a_name(), "mediterrani?", phone="+447700900123")
    assert result["trace"]["outcome"] == "clarify"
    assert result["trace"]["clarify"] == ["parking"]
    assert result["trace"]["selected"] == [] and result["entry_ids"] == []
    assert result["reply"] == "Just to be sure I understand: is your question about parking?"
    assert result["escalations"] == []


def test_clarifying_question_is_in_the_guests_language() -> None:
    result = ask(parking_with_a_name(), "mediterrani?")
    assert result["trace"]["language"] == "es"
    assert result["reply"] == "Para asegurarme de que te entiendo: ¿tu pregunta es sobre el aparcamiento?"


def test_nothing_plausible_escalates_instead(prop: Property) -> None:
    result = ask(prop, "is there a gym in the building?", phone="+447700900123")
    assert result["trace"]["outcome"] is None
    assert result["escalations"] == ["no_answer"]


def test_long_sms_reply_is_queued_as_ordered_parts() -> None:
    data = pack_data()
    long_text = " ".join(f"Rule {i}: please be kind to the neighbours and keep the stairs clear." for i in range(12))
    data["knowledge"].append({"topic": "house_rules", "title": "House rules", "content": {"en": long_text}})
    prop = make_property(knowledge=data["knowledge"])
    ask(prop, "what are the house rules?", phone="+447700900123")
    with session_scope() as s:
        rows = list(s.exec(select(Outbox).order_by(col(Outbox.id))))
        assert len(rows) > 1
        assert all(len(r.body) <= 320 for r in rows)
        assert " ".join(r.body for r in rows) == long_text
        first = outbox.claim_delivery(s, now=utcnow(), stale_after=30)
        assert first is not None and first.id == rows[0].id
        # The next part waits until the first has left: parts arrive in order.
        assert outbox.claim_delivery(s, now=utcnow(), stale_after=30) is None
        assert s.exec(select(Escalation)).all() == []


def test_a_reply_to_our_clarifying_question_is_answered_with_the_topic_it_picks(prop: Property) -> None:
    # Two turns through the real runner: the second reads the topics our question offered from the first's trace.
    asked = ask(prop, "the parking code", phone=JOHN)
    assert asked["trace"]["outcome"] == "clarify" and asked["trace"]["clarify"] == ["access", "parking"]
    picked = ask(prop, "the second one", phone=JOHN)
    assert picked["entry_ids"] == ["parking"]
    assert "Space 14" in picked["reply"]
    assert picked["trace"]["outcome"] is None and picked["escalations"] == []


def test_a_new_question_after_our_clarifying_question_is_read_as_any_other(prop: Property) -> None:
    ask(prop, "the parking code", phone=JOHN)
    result = ask(prop, "never mind, what's the wifi password?", phone=JOHN)
    assert result["entry_ids"] == ["wifi"]


def test_an_ordinal_after_an_answer_picks_nothing(prop: Property) -> None:
    ask(prop, "where do we park?", phone=JOHN)  # an answer, not a question: nothing was offered
    result = ask(prop, "the second one", phone=JOHN)
    assert result["entry_ids"] == []


def test_a_follow_up_reads_what_the_last_reply_ranked_from_its_trace() -> None:
    # Two turns through the real runner: the first goes to a person (the entry does not say how strict), its trace
    # ranks the quiet hours; "from what time?" asks what that entry holds.
    data = pack_data()
    noise = {"topic": "noise", "title": "Quiet hours", "content": {"en": "Quiet hours are 22:00 to 8:00."}}
    prop = make_property(knowledge=[*data["knowledge"], noise])
    first = ask(prop, "are the quiet hours strict here?", phone=JOHN)
    assert first["entry_ids"] == [] and first["trace"]["candidates"][0]["topic"] == "noise"
    result = ask(prop, "from what time?", phone=JOHN)
    assert result["entry_ids"] == ["noise"] and "22:00" in result["reply"]
