"""A topic is answered only when its entry says what the question asks (knowledge/coverage.py)."""

from typing import Any

from knowledge.coverage import closed_question, content_words, is_open, mentions, uncovered
from knowledge.index import build_index
from knowledge.questions import decide

ENTRIES: list[dict[str, Any]] = [
    {"topic": "pool", "title": "Pool", "content": {"en": "The rooftop pool is open from June to September, 10 to 21."}},
    {"topic": "heating_cooling", "title": "Heating", "content": {"en": "Air conditioning with a heat pump."}},
    {"topic": "parking", "title": "Parking", "content": {"en": "No space of its own; Parking Mar, 14 € a day."}},
    {"topic": "transport", "title": "Transport", "content": {"en": "Tram 4 stops 5 minutes away."}},
    {"topic": "amenities", "title": "Included", "content": {"en": "Towels, beach towels and a hair dryer."}},
    {"topic": "wifi", "title": "Wi-Fi", "content": {"en": "Network Sol-5G, password sol-y-mar."}},
]
INDEX = build_index(ENTRIES)


def answered(message: str, *, language: str = "en", previous: tuple[str, ...] = ()) -> tuple[list[str], int]:
    decision = decide(INDEX, message, language=language, threshold=0.7, previous=previous)
    return [c.topic for c in decision.selected], decision.open_questions


def test_a_property_the_entry_does_not_give_goes_to_a_person() -> None:
    assert answered("is the pool heated?") == ([], 1)  # another topic's word, not in the pool entry
    assert answered("is the parking guarded?") == ([], 1)  # a word nothing knows, in a closed question
    assert answered("is the tram running at night?") == ([], 1)


def test_a_property_the_entry_gives_is_answered() -> None:
    assert answered("is the pool open in september?") == (["pool"], 0)
    assert answered("how much is the parking a day?") == (["parking"], 0)


def test_open_questions_are_answered_whatever_else_they_say() -> None:
    assert answered("is there a hairdryer somewhere? looked everywhere") == (["amenities"], 0)
    assert answered("where do we leave the car tonight?") == (["parking"], 0)


def test_a_closed_question_in_another_language_than_the_entry_still_checks_its_words() -> None:
    assert answered("Ist der Pool überdacht?", language="de") == ([], 1)


def test_a_negated_topic_word_is_no_rival() -> None:
    assert uncovered(INDEX, "the tram and the parking", ["transport"], language="en") == ["parking"]
    assert uncovered(INDEX, "the tram, not the parking", ["transport"], language="en") == []
    assert "parking" not in content_words("sin parking, ¿cómo llegamos?", language="es")


def test_the_clause_that_asks_decides_not_the_circumstances() -> None:
    assert answered("with the heating on full blast, is the pool open?") == (["pool"], 0)


def test_a_follow_up_about_the_previous_topic_is_left_alone() -> None:
    assert answered("and is the pool heated?") == ([], 1)
    assert answered("and is the pool heated?", previous=("pool",))[0] == ["pool"]  # the follow-up rules decide


def test_uncovered_names_the_words_the_entry_lacks() -> None:
    assert uncovered(INDEX, "is the pool heated", ["pool"], language="en", closed=True) == ["heated"]
    assert uncovered(INDEX, "is the pool guarded", ["pool"], language="en", closed=True) == ["guarded"]
    assert uncovered(INDEX, "is the pool guarded", ["pool"], language="en", closed=False) == []
    assert uncovered(INDEX, "is the pool open in june", ["pool"], language="en", closed=True) == []


def test_an_entry_mentions_a_word_in_another_form() -> None:
    assert mentions("check-out is at 11:00", "checkout", "en")
    assert mentions("the pool is open from june", "opening", "en")
    assert not mentions("the pool is open from june", "heated", "en")


def test_question_shapes() -> None:
    assert is_open("where is the pool", "en")
    assert is_open("gibt es einen Föhn", "de")
    assert is_open("c'è il bagnino", "it")
    assert not is_open("is the pool heated", "en")
    assert is_open("tenéis secador de pelo", "pt")  # a short question taken for another language is still open
    assert is_open("kunnen jullie een restaurant aanraden", "nl")  # a recommendation request
    assert closed_question("is the pool heated", True, "en")
    assert not closed_question("is the pool heated", False, "en")  # a statement asks nothing
    assert not closed_question("is the pool on the roof heated in the evenings after nine", True, "en")  # long


SMOKING: list[dict[str, Any]] = [
    {"topic": "smoking", "title": "Smoking", "content": {"en": "No smoking inside. You can smoke on the balcony."}},
    {"topic": "pool", "title": "Pool", "content": {"en": "The rooftop pool is open from June to September."}},
]


def test_a_place_the_entry_mentions_in_another_language_is_no_missing_detail() -> None:
    index = build_index(SMOKING)
    assert [c.topic for c in decide(index, "posso fumar na varanda?", language="pt", threshold=0.7).selected] == [
        "smoking"
    ]
    # A place the entry never mentions is still a detail it does not give.
    assert decide(index, "posso fumar na janela?", language="pt", threshold=0.7).selected == []


def test_another_topic_named_only_as_a_place_is_no_missing_detail() -> None:
    index = build_index(SMOKING)
    found = decide(index, "is vaping ok out on the balcony by the pool?", language="en", threshold=0.7)
    assert [c.topic for c in found.selected] == ["smoking"]
    assert decide(index, "is the pool heated?", language="en", threshold=0.7).selected == []
