"""Keywords per entry and language: validated in the pack, stored with the entry, exported, and matched."""

import pytest
import yaml

from concierge.core.errors import InvalidInput
from knowledge.index import build_index
from knowledge.pack import dump_pack, parse_pack
from knowledge.questions import decide
from tests.factories import pack_data

BIKES = {
    "topic": "custom:bike-shed",
    "title": "Fietsenschuur",
    "content": {"nl": "De fietsen staan in de schuur achter het huis; de sleutel hangt aan de haak."},
    "keywords": {"de": ["Fahrrad", "Fahrräder"], "pl": ["rower", "rowery"], "en": ["bikes", "bicycles"]},
}


def test_keywords_round_trip_through_the_pack() -> None:
    pack = parse_pack(pack_data(knowledge=[*pack_data()["knowledge"], BIKES]))
    entry = next(e for e in pack.knowledge if e.topic == "custom:bike-shed")
    assert entry.stored()["keywords"] == BIKES["keywords"]
    assert "Fahrräder" in dump_pack(pack)
    again = parse_pack(yaml.safe_load(dump_pack(pack)))
    assert again == pack


def test_entries_without_keywords_store_and_export_none() -> None:
    pack = parse_pack(pack_data())
    assert all("keywords" not in e.stored() for e in pack.knowledge)
    assert "keywords" not in dump_pack(pack)


def test_keywords_need_a_language_and_short_words() -> None:
    with pytest.raises(InvalidInput) as problems:
        parse_pack(pack_data(knowledge=[{**BIKES, "keywords": {"bicycles": ["x" * 80]}}]))
    assert any("language tag" in p for p in problems.value.problems)


def test_a_custom_topic_is_reached_in_another_language_through_its_keywords() -> None:
    index = build_index([BIKES, {"topic": "wifi", "title": "Wi-Fi", "content": {"en": "Password sol-y-mar."}}])
    for language, question in (("de", "Gibt es Fahrräder für Gäste?"), ("pl", "czy są rowery dla gości?")):
        decision = decide(index, question, language=language, threshold=0.7)
        assert [c.topic for c in decision.selected] == ["custom:bike-shed"], question
