"""Knowledge versions on a real database: edits, rollback, diff, effective dates, validation, provenance."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import func, select

from concierge.conversation.corrections import guests_to_correct
from concierge.conversation.models import Conversation, Job, Message, Outbox, Trace
from concierge.core.db import session_scope
from concierge.core.errors import InvalidInput, NotFound
from concierge.core.settings import get_settings
from concierge.turn.preview import preview_answer
from concierge.turn.runner import TurnRunner
from knowledge import editing
from knowledge import service as knowledge_service
from knowledge.checks import looks_like_code
from knowledge.diff import Segment, diff_entries, word_diff
from knowledge.models import KnowledgeVersion, Property, Reservation
from knowledge.pack import parse_pack
from tests.factories import STRANGER, ask, make_property, pack_data, store

CHECK_IN = {
    "topic": "check_in",
    "title": "Check-in",
    "content": {"es": "La entrada es a partir de las 16:30.", "en": "Check-in is from 16:30."},
}


def save(prop: Property, entry: dict[str, object], replaces: str | None = "check_in") -> KnowledgeVersion:
    with session_scope() as s:
        assert prop.id is not None
        return editing.save_entry(s, property_id=prop.id, entry=entry, replaces=replaces, author="owner@example.com")


def versions(prop: Property) -> list[int]:
    with session_scope() as s:
        assert prop.id is not None
        return [v.version for v in knowledge_service.history(s, property_id=prop.id)]


def test_saving_an_entry_publishes_a_new_version_and_the_next_answer_uses_it(prop: Property) -> None:
    assert "15:00" in ask(prop, "¿a qué hora es el check-in?")["reply"]
    version = save(prop, CHECK_IN)
    assert version.version == 2 and version.summary == "~check_in" and version.author == "owner@example.com"
    result = ask(prop, "¿a qué hora es el check-in?")
    assert result["reply"] == "La entrada es a partir de las 16:30."
    assert result["trace"]["knowledge_version"] == 2


def test_saving_an_unchanged_entry_publishes_nothing(prop: Property) -> None:
    save(prop, CHECK_IN)
    assert save(prop, CHECK_IN).version == 2
    assert versions(prop) == [2, 1]


def test_rollback_publishes_the_old_content_as_a_new_version(prop: Property) -> None:
    save(prop, CHECK_IN)
    with session_scope() as s:
        assert prop.id is not None
        new = knowledge_service.rollback(s, property_id=prop.id, version=1, author="owner@example.com")
        first = editing.get_version(s, property_id=prop.id, version=1)
        assert new.version == 3 and new.entries == first.entries and new.summary == "rollback to v1"
    assert versions(prop) == [3, 2, 1]
    assert "15:00" in ask(prop, "¿a qué hora es el check-in?")["reply"]


def test_add_and_remove_entries(prop: Property) -> None:
    pets = {"topic": "pets", "title": "Pets", "content": {"en": "Small dogs are welcome."}}
    assert save(prop, pets, replaces=None).summary == "+pets"
    with pytest.raises(InvalidInput, match="already has an entry"):
        save(prop, pets, replaces=None)
    with session_scope() as s:
        assert prop.id is not None
        assert editing.remove_entry(s, property_id=prop.id, topic="pets", author="o").summary == "-pets"
        with pytest.raises(NotFound):
            editing.remove_entry(s, property_id=prop.id, topic="pets", author="o")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"content": {"es": "  "}}, "content in 'es' is empty"),
        ({"content": {"english": "Check-in at 4."}}, "'english' is not a language tag"),
        ({"topic": "checkin"}, "unknown topic 'checkin'"),
        ({"effective_from": "2026-05-02", "effective_until": "2026-05-01"}, "must not be before effective_from"),
        (
            {"content": {"en": "Check-in from 15:00. The keypad code is 4821."}},
            "looks like an access code ('keypad code is 4821')",
        ),
    ],
)
def test_invalid_entries_are_refused_with_a_clear_message(
    prop: Property, change: dict[str, object], problem: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        save(prop, {**CHECK_IN, **change}, replaces="check_in" if "topic" not in change else None)
    assert any(problem in p for p in raised.value.problems), raised.value.problems
    assert versions(prop) == [1]


def test_a_code_is_accepted_in_a_sensitive_entry(prop: Property) -> None:
    entry = {"topic": "access", "title": "Door", "sensitive": True, "content": {"en": "The door code is 9911."}}
    assert save(prop, entry, replaces="access").version == 2


def test_pack_import_refuses_a_code_in_a_non_sensitive_entry(database_url: str) -> None:
    data = pack_data()
    data["knowledge"][2]["content"]["en"] = "Space 14; the garage PIN is 7731."
    with pytest.raises(InvalidInput) as raised:
        parse_pack(data)
    assert raised.value.problems == [
        "knowledge[2]: content in 'en' looks like an access code ('pin is 7731'): mark the entry sensitive, "
        "or move the code to the sensitive access entry"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Check-in is from 15:00.",
        "Network CasaTest-5G, password sol-y-mar-2024.",
        "Código postal 46011, Valencia.",
        "Plaza 14 en el garaje de la calle Mar 3.",
        "The barcode 12345 is on the box.",
        "Our zip code is 90210.",
        "The code is on the fridge. Call 600 000 001 if lost.",
    ],
)
def test_ordinary_content_does_not_look_like_a_code(text: str) -> None:
    assert looks_like_code(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "El código de la puerta es 4821.",
        "Code : 4821",
        "PIN 9999",
        "ドアコードは4821です",
        "Türcode 1234",
        "kod do drzwi: 5521",
    ],
)
def test_codes_are_recognised_in_several_languages(text: str) -> None:
    assert looks_like_code(text) is not None


def test_entries_outside_their_dates_are_not_used(prop: Property) -> None:
    today = knowledge_service.local_date(prop, now=datetime.now(UTC))  # the property's day, not the test machine's
    pool = {"topic": "pool", "title": "Pool", "content": {"en": "The pool is closed for repairs."}}
    save(prop, {**pool, "effective_until": (today - timedelta(days=1)).isoformat()}, replaces="pool")
    reply = ask(prop, "is the pool open?", phone="+447700900123")
    assert reply["entry_ids"] == [] and "closed" not in reply["reply"]
    save(prop, {**pool, "effective_from": (today + timedelta(days=1)).isoformat()}, replaces="pool")
    assert ask(prop, "is the pool open?", phone="+447700900123")["entry_ids"] == []
    save(prop, {**pool, "effective_from": today.isoformat(), "effective_until": today.isoformat()}, replaces="pool")
    assert ask(prop, "is the pool open?", phone="+447700900123")["reply"] == "The pool is closed for repairs."


def test_effective_dates_follow_the_property_time_zone(database_url: str) -> None:
    """At 12:00 UTC on 1 June it is already 2 June in Kiritimati (UTC+14): an entry from 2 June applies."""
    data = pack_data()
    data["property"]["timezone"] = "Pacific/Kiritimati"
    prop = make_property(property=data["property"])
    pool = {"topic": "pool", "title": "Pool", "effective_from": "2026-06-02", "content": {"en": "Pool open 9-21."}}
    save(prop, pool, replaces="pool")
    noon_utc = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    message = store(prop, "is the pool open?", phone=STRANGER, at=noon_utc)
    assert message is not None
    runner = TurnRunner(get_settings(), now=lambda: noon_utc)
    assert runner.run_next()
    assert runner.last_result is not None and runner.last_result.entry_ids == ["pool"]


def test_word_diff_marks_only_what_changed() -> None:
    assert word_diff("Check-in is from 15:00.", "Check-in is from 16:30.") == [
        Segment("same", "Check-in is from "),
        Segment("removed", "15:00."),
        Segment("added", "16:30."),
    ]


def test_diff_per_entry_field_and_language() -> None:
    old = [
        {"topic": "wifi", "title": "Wi-Fi", "sensitive": False, "content": {"en": "Net A", "fr": "Réseau A"}},
        {"topic": "pool", "title": "Pool", "sensitive": False, "content": {"en": "Open"}},
    ]
    new = [
        {"topic": "wifi", "title": "Wi-Fi", "sensitive": False, "content": {"en": "Net B", "es": "Red B"}},
        {"topic": "pets", "title": "Pets", "sensitive": False, "content": {"en": "No pets"}},
        {
            "topic": "pool",
            "title": "Pool",
            "sensitive": False,
            "effective_until": "2026-05-01",
            "content": {"en": "Open"},
        },
    ]
    changes = {c.topic: c for c in diff_entries(old, new)}
    assert [c.topic for c in diff_entries(old, new)] == ["wifi", "pets", "pool"]
    wifi = {lang.language: lang.status for lang in changes["wifi"].languages}
    assert wifi == {"en": "changed", "es": "added", "fr": "removed"}
    assert changes["pets"].status == "added"
    assert changes["pool"].status == "changed" and changes["pool"].fields == [("effective_until", None, "2026-05-01")]
    assert diff_entries(old, old)[0].status == "same"


def test_compare_any_two_versions(prop: Property) -> None:
    save(prop, CHECK_IN)
    save(prop, {**CHECK_IN, "content": {**CHECK_IN["content"], "fr": "Arrivée à partir de 16h30."}})  # type: ignore[dict-item]
    with session_scope() as s:
        assert prop.id is not None
        changes = editing.compare(s, property_id=prop.id, old=1, new=3)
    check_in = next(c for c in changes if c.topic == "check_in")
    assert {lang.language: lang.status for lang in check_in.languages} == {
        "es": "changed",
        "en": "changed",
        "fr": "added",
    }
    assert all(c.status == "same" for c in changes if c.topic != "check_in")


def test_bot_replies_record_their_provenance(prop: Property) -> None:
    ask(prop, "¿a qué hora es el check-in?")
    with session_scope() as s:
        reply = s.exec(select(Message).where(Message.direction == "out")).one()
        assert (reply.knowledge_version, reply.entry_ids) == (1, ["check_in"])


def test_guests_told_something_that_changed_are_listed(prop: Property) -> None:
    ask(prop, "¿a qué hora es el check-in?")  # Ana, staying now
    ask(prop, "where can I park?", phone="+447700900123")  # John, arriving later: parking does not change
    with session_scope() as s:  # a guest whose stay ended yesterday asked too
        assert prop.id is not None
        yesterday = date.today() - timedelta(days=1)
        s.add(
            Reservation(
                property_id=prop.id,
                guest_name="Past Guest",
                phone="+15550002222",
                check_in=yesterday - timedelta(days=3),
                check_out=yesterday,
            )
        )
    ask(prop, "check-in time?", phone="+15550002222")
    with session_scope() as s:
        assert guests_to_correct(s, prop=prop, now=datetime.now(UTC)) == []  # nothing changed yet
    save(prop, CHECK_IN)
    with session_scope() as s:
        [correction] = guests_to_correct(s, prop=prop, now=datetime.now(UTC))
    assert (correction.guest_name, correction.topics, correction.quoted_version) == ("Ana López", ["check_in"], 1)
    with session_scope() as s:  # a week later the reply is too old to matter
        assert guests_to_correct(s, prop=prop, now=datetime.now(UTC) + timedelta(days=8)) == []


def test_preview_answers_through_the_turn_graph_and_stores_nothing(prop: Property) -> None:
    def counts() -> list[int]:
        with session_scope() as s:
            return [
                int(s.exec(select(func.count()).select_from(t)).one())
                for t in (Conversation, Message, Job, Outbox, Trace)
            ]

    before = counts()
    with session_scope() as s:
        booked = preview_answer(
            s,
            prop=prop,
            text="what is the door code?",
            phone="+34611111111",
            now=datetime.now(UTC),
            settings=get_settings(),
        )
        stranger = preview_answer(
            s, prop=prop, text="what is the door code?", phone=None, now=datetime.now(UTC), settings=get_settings()
        )
    assert "4821" in booked.reply and booked.entry_ids == ["access"] and booked.knowledge_version == 1
    assert "4821" not in stranger.reply and stranger.escalate == "access_request"
    assert counts() == before


def test_reservations_add_edit_clash_and_delete(prop: Property) -> None:
    assert prop.id is not None
    data = {"guest_name": "Eva", "phone": "+34622222222", "check_in": "2026-12-01", "check_out": "2026-12-04"}
    with session_scope() as s:
        row = editing.save_reservation(s, property_id=prop.id, data={**data, "language": "", "guests": "2"})
        assert row.language is None and row.guests == 2
        row_id = row.id
    with session_scope() as s, pytest.raises(InvalidInput, match="check_out must be after check_in"):
        editing.save_reservation(
            s, property_id=prop.id, data={**data, "check_out": "2026-11-30"}, reservation_id=row_id
        )
    with session_scope() as s:  # moving another stay onto Eva's phone and day is refused, and changes nothing
        ana = s.exec(select(Reservation).where(Reservation.phone == "+34611111111")).one()
        with pytest.raises(InvalidInput, match="already has a stay"):
            editing.save_reservation(s, property_id=prop.id, data=data, reservation_id=ana.id)
    with session_scope() as s:
        assert s.exec(select(Reservation).where(Reservation.phone == "+34611111111")).one().guest_name == "Ana López"
        assert row_id is not None
        editing.delete_reservation(s, property_id=prop.id, reservation_id=row_id)
        with pytest.raises(NotFound):
            editing.get_reservation(s, property_id=prop.id, reservation_id=row_id)


def test_reservation_csv_import_is_all_or_nothing(prop: Property) -> None:
    assert prop.id is not None
    good = "guest_name,phone,check_in,check_out,language,guests\nEva,+34622222222,2026-12-01,2026-12-04,es,2\n"
    bad = good + "Bob,12345,2026-12-01,2026-12-02,,\nCy,+34633333333,2026-12-01,2026-11-01,,\n"
    with session_scope() as s, pytest.raises(InvalidInput) as raised:
        editing.import_reservations_csv(s, property_id=prop.id, text=bad)
    assert any(p.startswith("line 3: phone:") for p in raised.value.problems)
    assert any(p.startswith("line 4: ") and "check_out must be after check_in" in p for p in raised.value.problems)
    with session_scope() as s:
        assert editing.import_reservations_csv(s, property_id=prop.id, text=good) == 1
        assert editing.import_reservations_csv(s, property_id=prop.id, text=good) == 1  # same stay: updated
        assert len(knowledge_service.list_reservations(s, property_id=prop.id)) == 3
    with session_scope() as s, pytest.raises(InvalidInput, match="missing column"):
        editing.import_reservations_csv(s, property_id=prop.id, text="name,phone\nEva,+34622222222\n")


def test_a_pack_for_another_property_is_refused(prop: Property) -> None:
    data = pack_data()
    data["property"]["slug"] = "elsewhere"
    with session_scope() as s, pytest.raises(InvalidInput, match="this pack is for 'elsewhere'"):
        editing.import_pack_for(s, prop=prop, data=data, author="o")
