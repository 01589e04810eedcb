"""Answers to our clarifying question, on the index alone: a short reply picks the offered topics it names, the one
in the place it says ("the first one", "die zweite", "la première") or all of them ("both"), in the guest's words and
language; a new subject is a new question."""

from typing import Any

import pytest
import yaml

from knowledge.clarified import decide, pick
from knowledge.index import build_index
from tests.factories import ROOT

ENTRIES: list[dict[str, Any]] = [
    {"topic": "access", "title": "Lockbox", "content": {"en": "The lockbox is left of the door. Code: 4821."}},
    {"topic": "pool", "title": "Pool", "content": {"en": "The rooftop pool is open 10:00 to 21:00."}},
    {"topic": "check_out", "title": "Check-out", "content": {"en": "Check-out by 11:00."}},
    {"topic": "luggage", "title": "Luggage", "content": {"en": "Leave your bags in the hall cupboard until 18:00."}},
    {
        "topic": "wifi",
        "title": "Wi-Fi",
        "content": {"en": "Network Azul, password mar-2024. Reconnect after 30 seconds."},
    },
]
INDEX = build_index(ENTRIES)
KEY_OR_POOL = ["access", "pool"]


@pytest.mark.parametrize(
    ("message", "language", "topics"),
    [
        ("the pool", "en", ["pool"]),
        ("la piscine", "fr", ["pool"]),
        ("プール", "ja", ["pool"]),
        ("yes, the key one", "en", ["access"]),
        ("the first one", "en", ["access"]),
        ("the second", "en", ["pool"]),  # "seconds" in the Wi-Fi entry's text names no subject
        ("die zweite", "de", ["pool"]),
        ("la première", "fr", ["access"]),
        ("el primero", "es", ["access"]),
        ("the latter", "en", ["pool"]),
        ("第二个", "zh", ["pool"]),
        ("both please", "en", KEY_OR_POOL),
        ("les deux", "fr", KEY_OR_POOL),
    ],
)
def test_a_short_reply_picks_the_offered_topics(message: str, language: str, topics: list[str]) -> None:
    assert pick(INDEX, message, KEY_OR_POOL, language=language).topics == topics


@pytest.mark.parametrize(
    ("message", "language"),
    [
        ("never mind, what's the wifi password?", "en"),  # a new subject
        ("yes", "en"),  # says nothing about which
        ("sorry I meant something else entirely, where can we leave the car tomorrow?", "en"),  # a message of its own
    ],
)
def test_a_reply_that_picks_nothing_offered_is_read_as_any_other(message: str, language: str) -> None:
    assert pick(INDEX, message, KEY_OR_POOL, language=language).topics == []


def test_an_ordinal_past_the_topics_offered_picks_nothing() -> None:
    assert pick(INDEX, "the second one", ["pool"], language="en").topics == []


def test_a_topic_the_owner_removed_since_is_no_longer_offered() -> None:
    assert pick(INDEX, "both", ["access", "parking"], language="en").topics == ["access"]


def test_decide_answers_with_the_picked_topics_and_otherwise_reads_the_message() -> None:
    offered = ["check_out", "luggage"]
    picked = decide(INDEX, "the luggage one", language="en", threshold=0.7, offered=offered)
    assert [c.topic for c in picked.selected] == ["luggage"] and picked.clarify == []
    assert [c.topic for c in decide(INDEX, "both", language="en", threshold=0.7, offered=offered).selected] == offered
    plain = decide(INDEX, "the second one", language="en", threshold=0.7)  # nothing offered: no place to pick
    assert plain.selected == []


EARLIER = build_index(
    [
        *ENTRIES,
        {"topic": "noise", "title": "Quiet hours", "content": {"en": "Quiet hours are 22:00 to 8:00."}},
        {
            "topic": "hot_tub",
            "title": "Hot tub",
            "content": {"en": "The hot tub is kept at 38 °C. Children only under supervision."},
        },
    ]
)


def test_a_detail_the_answer_does_not_hold_is_answered_by_the_topic_the_previous_message_was_ranked_for() -> None:
    # "where do we leave the key when we go?" was answered with the lockbox; the check-out was ranked too.
    considered = [("access", 1.0), ("check_out", 0.68)]
    found = decide(
        INDEX, "and by what time again?", language="en", threshold=0.7, previous=["access"], considered=considered
    )
    assert [c.topic for c in found.selected] == ["check_out"] and found.open_questions == 0
    alone = decide(INDEX, "and by what time again?", language="en", threshold=0.7, previous=["access"])
    assert alone.selected == [] and alone.open_questions == 1  # without the ranking: a person answers


def test_a_follow_up_on_a_message_handed_to_a_person_is_answered_when_the_entry_holds_it() -> None:
    # "are the quiet hours strict here?" went to a person (the entry does not say); "from what time?" it says.
    found = decide(EARLIER, "from what time?", language="en", threshold=0.7, considered=[("noise", 0.9)])
    assert [c.topic for c in found.selected] == ["noise"]
    unheld = decide(EARLIER, "how much does it cost?", language="en", threshold=0.7, considered=[("noise", 0.9)])
    assert unheld.selected == []  # the entry holds no price: a person answers
    weak = decide(EARLIER, "from what time?", language="en", threshold=0.7, considered=[("noise", 0.3)])
    assert weak.selected == []  # a topic ranked below the clarifying floor was never plausible


def test_two_earlier_topics_that_both_hold_the_detail_are_a_guess() -> None:
    # "check-out or luggage?" was our question; "how much is it?" could be either: a person answers, never a guess.
    considered = [("check_out", 0.9), ("luggage", 0.9)]
    found = decide(INDEX, "until when?", language="en", threshold=0.7, considered=considered)
    assert found.selected == []


def test_a_thing_the_answer_names_continues_it_whatever_the_words_around_it() -> None:
    found = decide(EARLIER, "can the kids go in alone", language="en", threshold=0.7, previous=["hot_tub"])
    assert [c.topic for c in found.selected] == ["hot_tub"]
    found = decide(EARLIER, "las niñas pueden entrar solas?", language="es", threshold=0.7, previous=["hot_tub"])
    assert [c.topic for c in found.selected] == ["hot_tub"]


def test_bags_after_check_out_are_answered_with_the_luggage_and_both_then_picks_the_two() -> None:
    first = decide(INDEX, "where can we leave our bags after check-out?", language="en", threshold=0.7)
    assert [c.topic for c in first.selected] == ["luggage"] and first.clarify == []
    considered = [(c.topic, c.score) for c in first.candidates]
    assert {"check_out", "luggage"} <= {topic for topic, score in considered if score >= 0.7}
    both = decide(INDEX, "both", language="en", threshold=0.7, previous=["luggage"], considered=considered)
    assert {c.topic for c in both.selected} == {"check_out", "luggage"}
    # "both" with no two topics ranked alike before it picks nothing.
    alone = decide(INDEX, "both", language="en", threshold=0.7, previous=["luggage"], considered=[("luggage", 1.0)])
    assert alone.selected == []


def test_a_moment_beside_a_question_about_something_nobody_knows_is_for_a_person() -> None:
    entries = yaml.safe_load((ROOT / "examples" / "casa-azul.yaml").read_text(encoding="utf-8"))["knowledge"]
    demo = build_index(entries)
    # "before we leave for the beach": the check-out only says when, the beach where; the pharmacy is asked.
    message = "antes de irnos a la playa, sabéis si hay una farmacia de guardia?"
    found = decide(demo, message, language="es", threshold=0.7)
    assert found.selected == [] and found.clarify == [] and found.open_questions == 1
    # Asked without the pharmacy, the beach is what the guest asks about.
    assert [
        c.topic for c in decide(demo, "antes de irnos, ¿la playa está cerca?", language="es", threshold=0.7).selected
    ] == ["local_tips"]


def test_no_question_back_about_topics_that_cannot_say_what_a_short_question_asks() -> None:
    from knowledge.clarified import _offered_cannot_say
    from knowledge.index import build_index
    from knowledge.retrieval import Candidate

    index = build_index(
        [{"topic": "local_tips", "title": "Tips", "content": {"en": "Las Arenas beach is a 3-minute walk."}}]
    )
    tips = [Candidate("local_tips", 0.5, matched="plaza", source="lexicon")]
    assert _offered_cannot_say(index, "czy na plaży Las Arenas są ratownicy?", tips, "pl")  # lifeguards: nothing knows
    assert not _offered_cannot_say(index, "is the beach Las Arenas?", tips, "en")  # every word of it is in the entry
