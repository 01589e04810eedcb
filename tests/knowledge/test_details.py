"""Details read off how a question is put (knowledge/details.py), and the decisions they change."""

from typing import Any

from knowledge.coverage import asks_whether
from knowledge.details import asked_part, asks, gives_acquiring
from knowledge.index import build_index
from knowledge.pack import load_pack_file
from knowledge.questions import decide
from tests.factories import ROOT

ENTRIES: list[dict[str, Any]] = [
    {"topic": "parking", "title": "Parking", "content": {"en": "No space of its own; Parking Mar, 14 € a day."}},
    {"topic": "transport", "title": "Transport", "content": {"en": "Tram 4 stops 5 minutes away."}},
    {
        "topic": "local_tips",
        "title": "Tips",
        "content": {"en": "Breakfast at Café Ufer next door. Buy a dune pass at the tourist office."},
    },
    {
        "topic": "custom:bikes",
        "title": "Bikes",
        "content": {"en": "The shed has 4 bikes for guests, 2 with a child seat."},
        "keywords": {"en": ["bikes", "bike"]},
    },
    {"topic": "amenities", "title": "Included", "content": {"en": "Towels, a hair dryer and a smart TV with Netflix."}},
    {"topic": "custom:workspace", "title": "Desk", "content": {"en": "The desk has a 27-inch monitor."}},
]
INDEX = build_index(ENTRIES)


def answered(message: str, *, language: str = "en") -> list[str]:
    return [c.topic for c in decide(INDEX, message, language=language, threshold=0.7).selected]


def test_a_message_without_a_mark_asks_where_a_clause_starts_as_a_question() -> None:
    assert asks("do the bikes have baskets or panniers, want to cycle to the shops", "en")
    assert not asks("we loved the bikes, thanks", "en")
    assert asked_part("is there a supermarket open on sundays, we got nothing for breakfast", "en") == (
        "is there a supermarket open on sundays"
    )
    assert asked_part("breakfast tips?", "en") == "breakfast tips?"


def test_an_unmarked_choice_or_thing_the_entry_does_not_give_goes_to_a_person() -> None:
    assert answered("do the bikes have baskets or panniers, want to cycle to the shops") == []
    assert answered("does the smart tv have youtube too or only netflix") == []
    assert answered("are there bikes with a child seat, our son is 3") == ["custom:bikes"]  # near miss


def test_the_guests_own_thing_is_not_what_is_asked() -> None:
    assert answered("is there a screen i can plug my laptop into for work?") == ["custom:workspace"]


def test_where_to_rent_hire_or_buy_a_thing_is_not_the_entry_that_names_it() -> None:
    parking, tips = [INDEX.texts["parking"]], [INDEX.texts["local_tips"]]
    assert not gives_acquiring(INDEX, "any idea where we could hire a car?", parking, "en", asks_whether)
    assert gives_acquiring(INDEX, "where can we buy a dune pass?", tips, "en", asks_whether)  # the entry says where
    assert gives_acquiring(INDEX, "we come in a hire car, where do we park?", parking, "en", asks_whether)
    assert gives_acquiring(INDEX, "do we need to buy coffee?", parking, "en", asks_whether)  # whether, not where
    assert answered("any idea where we could hire a car for a day trip?") == []
    assert answered("where can we buy tram tickets?") == []
    assert answered("where do we leave the car?") == ["parking"]  # near miss


def test_a_listing_topic_must_name_what_the_unmarked_question_asks_not_the_story() -> None:
    loft = build_index(load_pack_file(ROOT / "examples" / "city-loft.yaml").model_dump(mode="json")["knowledge"])
    message = "is there a supermarket close by that opens on sundays, we got nothing for breakfast"
    assert decide(loft, message, language="en", threshold=0.7).selected == []  # the tips name breakfast, not that
    dunes = build_index(load_pack_file(ROOT / "examples" / "duinhuis.yaml").model_dump(mode="json")["knowledge"])
    found = decide(dunes, "ok no worries. and the beach, how far is it?", language="en", threshold=0.7).selected
    assert [c.topic for c in found] == ["local_tips"]  # a part whose mark was split off keeps its circumstance


def test_a_clause_told_after_a_comma_is_no_detail_of_the_thing_asked() -> None:
    assert answered("is there a hair dryer in the bathroom, forgot to check") == ["amenities"]
    assert answered("is there a smart tv with a soundbar") == []  # the soundbar is the detail asked
