"""Circumstance or question: the guest's story around a question is no question of its own (knowledge/narration.py)."""

from typing import Any

from knowledge.index import build_index, words_of
from knowledge.mentions import present
from knowledge.narration import narrates
from knowledge.questions import decide

ENTRIES: list[dict[str, Any]] = [
    {"topic": "wifi", "title": "Wi-Fi", "content": {"en": "Network Sol-5G, password sol-y-mar."}},
    {"topic": "parking", "title": "Parking", "content": {"en": "Space 14 in the garage at Calle Mar 3."}},
    {"topic": "check_in", "title": "Check-in", "content": {"en": "Check-in is from 15:00 with a lockbox."}},
    {"topic": "transport", "title": "Transport", "content": {"en": "Tram 4 stops 5 minutes away."}},
    {"topic": "heating_cooling", "title": "Air conditioning", "content": {"en": "The remotes are in the drawer."}},
    {"topic": "local_tips", "title": "Tips", "content": {"en": "Paella at Casa Carmela; the beach is 3 minutes away."}},
]
INDEX = build_index(ENTRIES)


def selected(message: str) -> list[str]:
    return [c.topic for c in decide(INDEX, message, language="en", threshold=0.7).selected]


def test_a_piece_the_guest_tells_is_narration_a_question_or_a_wish_is_not() -> None:
    assert narrates("hey so we just got back from the beach", "en")
    assert narrates("we're getting a late train", "en")
    assert not narrates("we need the wifi password", "en")  # a wish asks
    assert not narrates("sorry silly question but what do we do with the bottles", "en")  # a question word asks
    assert not narrates("the beach was lovely", "en")  # not the guest's own story
    assert not narrates("wir sind am strand", "es")  # only the message's language's words


def test_the_story_before_the_question_is_not_answered() -> None:
    assert selected("we just got back from the beach and it's boiling in here, how do we get the air con going?") == [
        "heating_cooling"
    ]
    assert selected("we're getting a late train and won't arrive till 11pm, hope that's not a problem?") == ["check_in"]


def test_a_story_beside_an_open_question_answers_nothing() -> None:
    assert selected("we just got back from the beach and is there a pharmacy open nearby?") == []
    assert selected("is there an elevator? I've got a massive suitcase and a dodgy knee") == []


def test_a_wish_in_the_same_sentence_is_still_asked() -> None:
    assert selected("we need the wifi password and where do we park?") == ["wifi", "parking"]


def test_an_arrival_beside_an_unknown_subject_is_no_answer() -> None:
    assert selected("when we arrive, where can we buy groceries?") == []
    assert selected("we arrive at 9pm, can we still get in?") == ["check_in"]


def test_an_arrival_phrase_scattered_over_the_parts_is_no_answer() -> None:
    message = "hey! first time in Berlin and we're so excited, we land at BER on friday, how do we get to the flat?"
    assert "check_in" not in selected(message)


def test_a_possessive_also_yields_the_word_itself() -> None:
    assert "wifi" in words_of("the wifi's stopped working")
    assert "it" not in words_of("it's fine")  # too short a word to read on its own
    assert selected("the wifi's stopped working, nothing loads") == ["wifi"]


def test_phrases_of_three_words_are_present() -> None:
    assert present("is there space for the car?", frozenset({"is there space"})) == frozenset({"is there space"})


def test_a_dictated_past_is_the_story_of_the_asked_piece() -> None:
    entries = [*ENTRIES, {"topic": "trash", "title": "Basura", "content": {"es": "Contenedores en la esquina."}}]
    index = build_index(entries)
    message = "anoche llegamos tarde y no encontramos donde tirar la basura"
    topics = [c.topic for c in decide(index, message, language="es", threshold=0.5).selected]
    assert topics == ["trash"]
    assert narrates("anoche llegamos tarde", "es")
    assert not narrates("llegamos a las 15", "es")  # no word of past time: it may ask


# Check-out says where the used towels go; the list of what the flat has names them too.
TOWELS = build_index(
    [
        {"topic": "check_out", "title": "Check-out", "content": {"en": "By 10:00. Put the used towels in the tub."}},
        {"topic": "amenities", "title": "Included", "content": {"en": "Towels, beach towels and a hair dryer."}},
    ]
)


def chosen(message: str) -> list[str]:
    return [c.topic for c in decide(TOWELS, message, language="en", threshold=0.7).selected]


def test_an_entry_asked_only_about_what_another_chosen_entry_says_steps_aside() -> None:
    assert chosen("what time is check-out and what do we do with the towels?") == ["check_out"]
    assert chosen("what time is check-out and are there beach towels?") == ["check_out", "amenities"]


def test_a_word_of_another_chosen_topic_is_that_topics_not_a_detail_asked() -> None:
    # "leave" is check-out's own word: the towels are what check-out says where to put.
    assert chosen("what time is checkout on friday and do we leave the towels somewhere?") == ["check_out"]
    assert chosen("what time is checkout and is there a hair dryer?") == ["check_out", "amenities"]


# Check-out says what to do with the bed linen and the rubbish; the amenities, door and bins entries name them too.
LEAVING = build_index(
    [
        {
            "topic": "check_out",
            "title": "Check-out",
            "content": {
                "en": "By 10:00. Leave the bed linen on the beds, put the keys in the lockbox, take the trash out."
            },
        },
        {"topic": "amenities", "title": "Included", "content": {"en": "Sheets, towels and a hair dryer."}},
        {"topic": "access", "title": "Lockbox", "content": {"en": "The lockbox is left of the door, code 1234."}},
        {"topic": "trash", "title": "Bins", "content": {"en": "The bins are at the corner of the street."}},
    ]
)


def leaving(message: str) -> list[str]:
    return [c.topic for c in decide(LEAVING, message, language="en", threshold=0.7).selected]


def test_a_thing_another_chosen_entry_names_in_other_words_is_its() -> None:
    # "sheets" is the amenities' word; the check-out says "bed linen", the same thing (knowledge/data/things.yaml).
    assert leaving("what time do we need to leave and what should we do with the sheets?") == ["check_out"]
    assert leaving("what time do we need to leave and is there a hair dryer?") == ["check_out", "amenities"]


def test_one_entry_saying_every_thing_asked_answers_alone() -> None:
    # The door and the bins are chosen by "keys" and "trash"; the check-out, ranked as high, says both.
    message = "we leave on sunday, what do we do with the keys and the trash before we go?"
    assert leaving(message) == ["check_out"]
    assert sorted(leaving("where is the lockbox and where are the bins?")) == ["access", "trash"]
