"""Follow-ups on the index alone: a message with no topic of its own that refers back is about the previous answer,
in the guest's language or another, and a new subject is never answered with the same entry again."""

from typing import Any

from knowledge.follow_ups import continues, follow_up, refers_back, things_named
from knowledge.index import build_index
from knowledge.questions import decide
from knowledge.retrieval import rank_message

ENTRIES: list[dict[str, Any]] = [
    {
        "topic": "check_out",
        "title": "Check-out",
        "content": {"es": "Salida antes de las 11:00.", "en": "Check-out by 11:00. Put the keys back in the lockbox."},
    },
    {"topic": "access", "title": "Lockbox", "content": {"en": "The lockbox is left of the door. Code: 4821."}},
    {"topic": "parking", "title": "Parking", "content": {"en": "Parking Mediterrani, 14 € per 24 hours."}},
    {"topic": "pool", "title": "Pool", "content": {"en": "The rooftop pool is open 10:00 to 21:00."}},
    {"topic": "trash", "title": "Bins", "content": {"en": "Bins on the corner: green for glass, grey for the rest."}},
    {"topic": "wifi", "title": "Wi-Fi", "content": {"en": "Network Sol-5G, password sol-y-mar."}},
    {"topic": "amenities", "title": "Included", "content": {"en": "Towels, a hair dryer, shampoo."}},
]
INDEX = build_index(ENTRIES)


def selected(message: str, *, language: str, previous: tuple[str, ...]) -> list[str]:
    decision = decide(INDEX, message, language=language, threshold=0.7, previous=previous)
    return [c.topic for c in decision.selected]


def test_things_are_named_in_any_language() -> None:
    assert things_named("e le chiavi?") == things_named("Put the keys back") == {"keys"}
    assert "keys" in things_named("鍵はどこ？")
    assert things_named("is there a gym?") == frozenset()
    assert things_named("a keyboard") == frozenset()  # a whole word, not a piece of one


def test_japanese_and_chinese_ask_and_the_at_the_end() -> None:
    assert refers_back("瓶は？", "ja")
    assert refers_back("玻璃呢？", "zh")
    assert refers_back("and the password?", "en")
    assert not refers_back("瓶はどこですか？", "ja")
    assert not refers_back("where is the glass bin?", "en")


def test_a_thing_the_previous_entry_names_in_another_language_continues_it() -> None:
    # The check-out entry is not written in Italian, but it names the keys: "e le chiavi?" is about check-out.
    assert selected("e le chiavi?", language="it", previous=("check_out",)) == ["check_out"]
    # Without that previous answer the keys are the lockbox's.
    assert selected("e le chiavi?", language="it", previous=()) == ["access"]
    # An entry that does not name the thing: the new topic answers.
    assert selected("e le chiavi?", language="it", previous=("pool",)) == ["access"]


def test_a_thing_continues_only_when_the_guest_refers_back() -> None:
    candidates = rank_message(INDEX, "dove sono le chiavi?", language="it")
    assert continues(INDEX, "dove sono le chiavi?", candidates, ["check_out"], "it") is None
    found = continues(INDEX, "e le chiavi?", rank_message(INDEX, "e le chiavi?", language="it"), ["check_out"], "it")
    assert found is not None and found.topic == "check_out" and found.source == "context"


def test_a_question_that_only_asks_more_is_about_the_previous_answer() -> None:
    assert selected("how much per day", language="en", previous=("parking",)) == ["parking"]  # no "?" needed
    assert selected("¿hasta qué hora se puede usar?", language="es", previous=("pool",)) == ["pool"]
    assert selected("一天多少钱？", language="zh", previous=("parking",)) == ["parking"]
    assert selected("何時まで使えますか？", language="ja", previous=("pool",)) == ["pool"]


def test_a_pronoun_or_a_preposition_is_no_subject_of_its_own() -> None:
    # "elle" and "pro" are function words: "is it heated?", "costs per day?" name nothing but the previous answer.
    assert selected("elle est chauffée ?", language="fr", previous=("pool",)) == ["pool"]
    assert selected("Kosten pro Tag?", language="de", previous=("parking",)) == ["parking"]


def test_a_japanese_and_the_after_an_entry_in_english_is_about_it() -> None:
    assert selected("瓶は？", language="ja", previous=("trash",)) == ["trash"]


def test_a_new_subject_is_never_the_same_entry_again() -> None:
    assert follow_up(INDEX, "is there a gym?", ["pool"], "en") is None
    assert selected("is there a gym?", language="en", previous=("pool",)) == []
    assert follow_up(INDEX, "ジムはありますか？", ["pool"], "ja") is None
    assert selected("and the wifi password?", language="en", previous=("parking",)) == ["wifi"]
    assert follow_up(INDEX, "how much per day", [], "en") is None  # nothing to refer back to
