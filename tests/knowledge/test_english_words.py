"""English guests' words in the lexicon data: chat fillers ask for nothing, slang names the entries' things, and a lift
or an elevator is asked about the entry that names it (knowledge/data/words.yaml, shorthand.yaml, places.yaml,
topics/access.yaml)."""

from typing import Any

from knowledge.index import build_index
from knowledge.questions import decide

LOFT: list[dict[str, Any]] = [
    {"topic": "smoking", "title": "Smoking", "content": {"en": "No smoking in the flat, also not on the balcony."}},
    {"topic": "house_rules", "title": "House rules", "content": {"en": "Please take your shoes off inside."}},
    {"topic": "access", "title": "Door", "content": {"en": "Take the lift to the 5th floor; code 2580."}},
    {"topic": "local_tips", "title": "Tips", "content": {"en": "Breakfast: Café Ufer, next door."}},
]
HOUSE: list[dict[str, Any]] = [
    {"topic": "access", "title": "Key safe", "content": {"en": "The key safe hangs left of the front door."}},
    {"topic": "local_tips", "title": "Tips", "content": {"en": "Beach pavilion Zeezicht, 3 minutes away."}},
]


def answered(entries: list[dict[str, Any]], message: str) -> list[str]:
    return [c.topic for c in decide(build_index(entries), message, language="en", threshold=0.7).selected]


def test_chat_fillers_ask_for_nothing() -> None:
    assert answered(LOFT, "am I ok to have a cheeky cig on the balcony?") == ["smoking"]
    assert answered(LOFT, "is it a shoes off kind of place?") == ["house_rules"]


def test_slang_names_what_the_entry_names() -> None:
    assert answered(LOFT, "we'd love a decent brekkie spot nearby, any faves?") == ["local_tips"]
    assert answered(LOFT, "is there a brekkie spot nearby?") == ["local_tips"]
    assert answered(HOUSE, "is there a brekkie spot nearby?") == []  # the tips name no breakfast: a person answers


def test_an_elevator_is_asked_about_the_entry_that_names_the_lift() -> None:
    assert answered(LOFT, "does the building have an elevator? we've got heavy cases") == ["access"]
    assert answered(HOUSE, "does the building have an elevator? we've got heavy cases") == []  # no lift named
    assert answered(LOFT, "does the building have a gym?") == []  # the building is where, the gym is asked
    assert answered(HOUSE, "can you give us a lift from the station?") == []  # a ride, not an elevator
