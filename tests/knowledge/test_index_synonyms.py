"""An entry that names a thing of synonyms.yaml is reachable by the thing's other words, in any language."""

from knowledge.index import build_index
from knowledge.retrieval import rank_message

ENTRIES = [
    {"topic": "access", "title": "Access", "content": {"en": "The flat is on the third floor, no lift."}},
    {"topic": "wifi", "title": "Wi-Fi", "content": {"en": "Network Sol-5G, password sol-y-mar."}},
]


def test_the_entry_that_names_a_lift_answers_an_elevator() -> None:
    index = build_index(ENTRIES)
    assert [c.topic for c in rank_message(index, "is there an elevator?", language="en")][:1] == ["access"]
    assert [c.topic for c in rank_message(index, "gibt es einen Fahrstuhl?", language="de")][:1] == ["access"]


def test_an_entry_that_names_no_lift_gets_no_elevator() -> None:
    index = build_index(ENTRIES[1:])
    assert rank_message(index, "is there an elevator?", language="en") == []
