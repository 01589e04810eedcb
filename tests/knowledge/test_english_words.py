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


FLAT: list[dict[str, Any]] = [
    {"topic": "wifi", "title": "Wi-Fi", "content": {"en": "Network Sol-5G; if it drops, unplug the router."}},
    {"topic": "smoking", "title": "Smoking", "content": {"en": "No vaping inside the flat; the balcony is fine."}},
    {"topic": "amenities", "title": "Included", "content": {"en": "Towels and beach towels."}},
]


def test_the_guests_own_thing_is_not_asked_about() -> None:
    # "my laptop" says whose connection drops; a thing nothing knows without a possessive is still asked about
    assert answered(FLAT, "the internet keeps cutting out on my laptop, anything we can do?") == ["wifi"]
    assert answered(FLAT, "does the wifi reach the garden shed?") == []


def test_indoors_is_the_entrys_inside() -> None:
    assert answered(FLAT, "is vaping ok indoors or only outside?") == ["smoking"]
    assert answered(FLAT, "is vaping ok in the car or only in the garage?") == []  # neither place is named


def test_providing_asks_for_nothing_more() -> None:
    assert answered(FLAT, "do you guys provide beach towels or should we buy some?") == ["amenities"]
