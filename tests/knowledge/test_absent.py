"""A question about a topic the property has no entry for goes to a person, not to the entry of a word beside it."""

from typing import Any

from knowledge.absent import missing_topic, step_back
from knowledge.index import build_index
from knowledge.questions import decide
from knowledge.retrieval import CLARIFY_FLOOR, rank_message

ENTRIES: list[dict[str, Any]] = [
    {"topic": "directions", "title": "Address", "content": {"en": "Paul-Lincke-Ufer 21, by the canal."}},
    {"topic": "wifi", "title": "Wi-Fi", "content": {"en": "Network KanalLoft, password kanal-blau."}},
    {"topic": "custom:hot-tub", "title": "Hot tub", "content": {"en": "The hot tub is open from 9:00 to 22:00."}},
]
INDEX = build_index(ENTRIES)


def selected(message: str, language: str) -> list[str]:
    return [c.topic for c in decide(INDEX, message, language=language, threshold=0.7).selected]


def test_parking_asked_where_there_is_no_parking_entry_is_not_answered_with_the_street() -> None:
    assert [c.topic for c in rank_message(INDEX, "tenéis garaje o aparcamos en la calle?", language="es")] == [
        "directions"
    ]
    assert selected("tenéis garaje o aparcamos en la calle?", "es") == []
    assert selected("近くに車を停められる場所はありますか？", "ja") == []


def test_the_missing_topic_is_named_by_its_own_words() -> None:
    missing = missing_topic(INDEX, "where do we park the car?", "en")
    assert missing is not None and missing.topic == "parking"
    assert missing_topic(INDEX, "what's the wifi password?", "en") is None


def test_the_property_topics_still_answer_their_own_questions() -> None:
    assert selected("what is the address of the flat?", "en") == ["directions"]
    assert selected("what's the wifi password? and where do we park?", "en") == ["wifi"]


def test_a_topic_named_by_the_same_words_as_the_missing_one_stays() -> None:
    ranked = rank_message(INDEX, "is the jacuzzi open at night?", language="en")
    kept = step_back(INDEX, ranked, "is the jacuzzi open at night?", "en")
    assert kept[0].topic == "custom:hot-tub" and kept[0].score >= CLARIFY_FLOOR


RULES = build_index(
    [
        *ENTRIES,
        {"topic": "house_rules", "title": "Rules", "content": {"en": "Maximum 6 people. Keep quiet after 22:00."}},
    ]
)


def test_a_rule_entry_that_writes_about_the_missing_rule_topic_stands_in_for_it() -> None:
    # No quiet-hours entry, but the house rules say "keep quiet": they answer, in any language.
    asked = [("a che ora bisogna fare silenzio la sera?", "it"), ("until when can we play music?", "en")]
    for message, language in asked:
        assert [c.topic for c in decide(RULES, message, language=language, threshold=0.7).selected] == ["house_rules"]


def test_a_missing_rule_topic_the_rules_do_not_mention_still_goes_to_a_person() -> None:
    # The house rules say nothing about pets: a pets question is not answered with them.
    assert [c.topic for c in decide(RULES, "can we bring our dog?", language="en", threshold=0.7).selected] == []
