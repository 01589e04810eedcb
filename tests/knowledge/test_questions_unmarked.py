"""Guests who write without question marks, terse questions with a word of nearness, and the door's entry beside
another entry that speaks of the keys (issue #17, branch blind-en2)."""

from typing import Any

from knowledge.index import build_index
from knowledge.questions import decide

ENTRIES: list[dict[str, Any]] = [
    {"topic": "amenities", "title": "Included", "content": {"en": "Towels, beach towels, a hair dryer."}},
    {"topic": "laundry", "title": "Washing machine", "content": {"en": "Washer and tumble dryer in the utility room."}},
    {"topic": "parking", "title": "Parking", "content": {"en": "Parking Mediterrani, 4 minutes on foot, 14 €."}},
    {
        "topic": "check_out",
        "title": "Check-out",
        "content": {"en": "Check-out is by 11:00. Put the keys in the lockbox."},
    },
    {"topic": "check_in", "title": "Check-in", "content": {"en": "Check-in is from 15:00 with a lockbox."}},
    {"topic": "access", "title": "Lockbox", "content": {"en": "The lockbox is by the door. Code: 4821."}},
]
INDEX = build_index(ENTRIES)


def selected(message: str) -> list[str]:
    return [c.topic for c in decide(INDEX, message, language="en", threshold=0.5).selected]


def test_a_sentence_that_starts_as_a_question_is_asked_without_its_mark() -> None:
    assert selected("the kids towels are all sandy and wet. is there a dryer somewhere") == ["laundry"]


def test_one_run_on_sentence_still_asks_with_every_piece() -> None:
    assert set(selected("whats the checkout time and is there parking")) == {"check_out", "parking"}


def test_a_word_of_nearness_is_no_detail_the_entry_lacks() -> None:
    assert selected("Parking near flat?") == ["parking"]
    assert selected("parking nearby?") == ["parking"]


def test_the_keys_after_the_check_out_are_the_check_outs() -> None:
    assert selected("what time we must leave the apartment on sunday and the keys where we let them?") == ["check_out"]


def test_a_code_asked_beside_the_check_in_still_brings_the_door() -> None:
    assert set(selected("check in time and the code for the lockbox?")) == {"check_in", "access"}
