"""The options a question offers, against what its entry gives (knowledge/options.py)."""

from typing import Any

from knowledge.index import build_index
from knowledge.options import neither_given

ENTRIES: list[dict[str, Any]] = [
    {"topic": "custom:hot-tub", "title": "Hot tub", "content": {"en": "The hot tub on the terrace is kept at 38 °C."}},
    {"topic": "parking", "title": "Parking", "content": {"en": "Parking Mar, 14 € a day, for cars."}},
    {
        "topic": "smoking",
        "title": "Fumar",
        "content": {"es": "Prohibido fumar dentro del piso. Se puede fumar en el balcón."},
    },
]
INDEX = build_index(ENTRIES)


def test_an_alternative_restricted_by_only_asks_its_first_half() -> None:
    hot_tub = "does the hot tub have jets or is it just warm water?"
    assert neither_given(INDEX, hot_tub, ["custom:hot-tub"], language="en") == ["jets"]
    motorbikes = "does the parking have room for motorbikes too or only cars?"
    assert neither_given(INDEX, motorbikes, ["parking"], language="en")


def test_a_restricted_alternative_the_entry_answers_stays_answered() -> None:
    # the circumstance before the last comma asks nothing; smoking inside is what the entry gives
    message = "o meu marido fuma, pode fumar lá dentro ou só na varanda?"
    assert neither_given(INDEX, message, ["smoking"], language="pt") == []


def test_an_open_alternative_still_needs_neither_side_given() -> None:
    assert neither_given(INDEX, "is the parking covered or open air?", ["parking"], language="en") == ["covered"]
    assert neither_given(INDEX, "is the parking for cars or vans?", ["parking"], language="en") == []
