"""Answers to our clarifying question, on the index alone: a short reply picks the offered topics it names, the one
in the place it says ("the first one", "die zweite", "la première") or all of them ("both"), in the guest's words and
language; a new subject is a new question."""

from typing import Any

import pytest

from knowledge.clarified import decide, pick
from knowledge.index import build_index

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
