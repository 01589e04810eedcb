"""English guests' words in the lexicon data: chat fillers ask for nothing, slang names the entries' things, and
indoors is the entries' inside (knowledge/data/words.yaml, shorthand.yaml, places.yaml)."""

from typing import Any

from knowledge.index import build_index
from knowledge.questions import decide

LOFT: list[dict[str, Any]] = [
    {"topic": "smoking", "title": "Smoking", "content": {"en": "No smoking in the flat, also not on the balcony."}},
    {"topic": "house_rules", "title": "House rules", "content": {"en": "Please take your shoes off inside."}},
    {"topic": "local_tips", "title": "Tips", "content": {"en": "Breakfast: Café Ufer, next door."}},
]
HOUSE: list[dict[str, Any]] = [
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


FLAT: list[dict[str, Any]] = [
    {"topic": "wifi", "title": "Wi-Fi", "content": {"en": "Network Sol-5G; if it drops, unplug the router."}},
    {"topic": "smoking", "title": "Smoking", "content": {"en": "No vaping inside the flat; the balcony is fine."}},
    {"topic": "amenities", "title": "Included", "content": {"en": "Towels and beach towels."}},
]


def test_indoors_is_the_entrys_inside() -> None:
    assert answered(FLAT, "is vaping ok indoors or only outside?") == ["smoking"]
    assert answered(FLAT, "is vaping ok in the car or only in the garage?") == []  # neither place is named
