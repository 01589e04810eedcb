"""Follow-ups with words of their own: a verb or a filler is no new subject, a longer message may restate the entry,
one of two topics just answered is continued, and a message naming only what the entry just read says continues it."""

from typing import Any

from knowledge.follow_ups import earlier_topic, read_follow_up
from knowledge.index import build_index
from knowledge.questions import decide

ENTRIES: list[dict[str, Any]] = [
    {"topic": "wifi", "title": "Wi-Fi", "content": {"en": "Password: sol-y-mar. If the connection drops, unplug it."}},
    {
        "topic": "check_out",
        "title": "Check-out",
        "content": {"en": "Check-out by 11:00. Late check-out to 13:00: 20 €."},
    },
    {"topic": "pool", "title": "Pool", "content": {"en": "The rooftop pool is open 10:00 to 21:00."}},
    {
        "topic": "laundry",
        "title": "Wäsche",
        "content": {"de": "Waschmaschine und Trockner im Hauswirtschaftsraum. Strandtücher dürfen in den Trockner."},
    },
    {"topic": "amenities", "title": "Ausstattung", "content": {"de": "Bettwäsche inklusive, Strandtücher nicht."}},
]
INDEX = build_index(ENTRIES)


def test_a_verb_of_closing_or_a_filler_is_no_new_subject() -> None:
    assert read_follow_up(INDEX, "does it shut early on sundays?", ["pool"], "en") == []
    assert read_follow_up(INDEX, "can we stay a bit later than that?", ["check_out"], "en") == []


def test_one_of_two_topics_just_answered_is_continued() -> None:
    later = "can we stay a bit later than that?"
    assert earlier_topic(INDEX, later, ["wifi", "check_out"], [], "en") == "check_out"
    assert earlier_topic(INDEX, "is there a gym nearby?", ["wifi", "check_out"], [], "en") is None


def test_a_longer_message_pointing_back_may_restate_the_entry() -> None:
    restated = "it keeps dropping out again and again, anything I can do about it?"
    assert read_follow_up(INDEX, restated, ["wifi"], "en") == []
    new = "it would be great to know if there is a gym somewhere near the beach please"
    assert read_follow_up(INDEX, new, ["wifi"], "en") is None


def test_naming_only_what_the_entry_just_read_says_continues_it() -> None:
    decision = decide(
        INDEX, "Dürfen die Strandtücher in den Trockner?", language="de", threshold=0.7, previous=["laundry"]
    )
    assert [c.topic for c in decision.selected] == ["laundry"]
    decision = decide(INDEX, "Sind Strandtücher inklusive?", language="de", threshold=0.7, previous=["laundry"])
    assert "laundry" not in [c.topic for c in decision.selected]
