"""A question asking where a thing is is answered only by an entry that names the thing in one of its languages
(knowledge/coverage.py, knowledge/data/things.yaml)."""

from typing import Any

from knowledge.coverage import asks_where
from knowledge.index import build_index
from knowledge.questions import decide
from knowledge.things import things_named

ENTRIES: list[dict[str, Any]] = [
    {"topic": "amenities", "title": "Included", "content": {"en": "Bed linen, towels and a hair dryer."}},
    {"topic": "laundry", "title": "Laundry", "content": {"en": "Washing machine; iron in the wardrobe."}},
    {"topic": "kitchen", "title": "Kitchen", "content": {"en": "Oven, microwave, kettle and a toaster."}},
    {"topic": "trash", "title": "Bins", "content": {"en": "Bins on the corner, spare bags under the sink."}},
    {"topic": "emergency", "title": "Emergency", "content": {"en": "Call 112. A fire blanket hangs by the cooker."}},
]
INDEX = build_index(ENTRIES)


def topics(message: str, language: str = "en", index: Any = INDEX) -> list[str]:
    return [c.topic for c in decide(index, message, language=language, threshold=0.7).selected]


def test_a_question_asks_where_in_its_language_or_english() -> None:
    assert asks_where("where are the extra blankets?", "en")
    assert asks_where("wo finde ich den Föhn?", "de")
    assert asks_where("备用的被子在哪里？", "zh")
    assert not asks_where("is there a hair dryer?", "en")


def test_where_a_thing_is_that_the_entry_never_names_goes_to_a_person() -> None:
    assert topics("where are the extra blankets?") == []
    assert topics("the heating is fine, but where are the extra blankets?") == []  # "where" in a piece of its own
    assert topics("où sont les couvertures ?", "fr") == []


def test_where_a_thing_is_that_the_entry_names_is_answered() -> None:  # near misses, also across languages
    assert topics("where is the hair dryer?") == ["amenities"]
    assert topics("wo finde ich den Föhn?", "de") == ["amenities"]
    assert topics("where's the iron?") == ["laundry"]
    assert topics("where is the fire blanket?") == ["emergency"]  # a fire blanket is no bed blanket


def test_a_fire_blanket_is_no_blanket() -> None:
    assert things_named("a fire blanket hangs by the cooker") == {"fire_blanket"}
    assert things_named("extra blankets") == things_named("eine Decke") == {"blankets"}


def test_a_word_the_entry_holds_as_written_is_named() -> None:
    tips = build_index([{"topic": "local_tips", "title": "Tips", "content": {"en": "Tapas at Casa Montaña."}}])
    assert topics("Wo kann man hier in der Nähe gut Tapas essen gehen?", "de", tips) == ["local_tips"]  # no "tapa"
