"""Polish, Portuguese and Chinese guests' own words reach the entry (issue #17, branch blind-plptzh): a backpack is
luggage, breakfast a local tip, the wood stove's fireplace and firewood heating, 过夜 a house rule; a near miss (a
fireplace where the house has only air conditioning) still goes to a person."""

from typing import Any

from knowledge.cjk import simplified
from knowledge.coverage import uncovered
from knowledge.index import build_index
from knowledge.questions import decide

ENTRIES: list[dict[str, Any]] = [
    {"topic": "luggage", "title": "Bags", "content": {"en": "You can leave bags at Valencia Lockers (5 € a day)."}},
    {"topic": "check_in", "title": "Check-in", "content": {"en": "Check-in is from 15:00 with a lockbox."}},
    {"topic": "local_tips", "title": "Tips", "content": {"en": "Breakfast: Café Ufer, next door."}},
    {"topic": "house_rules", "title": "Rules", "content": {"en": "Maximum 3 guests; no visitors staying the night."}},
    {"topic": "parking", "title": "Parking", "content": {"en": "The driveway has room for two cars."}},
    {"topic": "wifi", "title": "Wi-Fi", "content": {"en": "Network: Dune. Password: zeewind-2019."}},
    {"topic": "smoking", "title": "Smoking", "content": {"en": "No smoking inside; the courtyard is fine."}},
    {"topic": "custom:workspace", "title": "Desk", "content": {"en": "The desk has a 27-inch monitor."}},
]
HEATING = {
    "topic": "heating_cooling",
    "title": "Heating",
    "content": {"en": "Underfloor heating. There is also a wood stove: logs are in the shed."},
}
AIRCON = {"topic": "heating_cooling", "title": "Air", "content": {"en": "Air conditioning in every room."}}


def chosen(entries: list[dict[str, Any]], message: str, language: str) -> list[str]:
    index = build_index(entries)
    decision = decide(index, simplified(message, language), language=language, threshold=0.7)
    return [c.topic for c in decision.selected]


def test_guests_words_reach_the_entry() -> None:
    assert chosen(ENTRIES, "mozna gdzies wczesniej rzucic plecaki zanim wejdziemy?", "pl") == ["luggage"]
    assert chosen(ENTRIES, "onde tem um lugar bom pra tomar cafe da manha aqui perto?", "pt") == ["local_tips"]
    assert chosen(ENTRIES, "可以带朋友回来过夜吗", "zh") == ["house_rules"]
    assert chosen(ENTRIES, "车停哪里？可以停两辆吗", "zh") == ["parking"]
    assert chosen(ENTRIES, "網路密碼是多少？", "zh") == ["wifi"]
    assert chosen(ENTRIES, "可以在窗户边抽根烟吗", "zh") == ["smoking"]
    assert chosen(ENTRIES, "這幾天要在家工作，桌子那邊有螢幕嗎", "zh") == ["custom:workspace"]


def test_the_wood_stove_is_heating_where_the_house_has_one() -> None:
    assert chosen([HEATING], "gdzie jest drewno do kominka? troche zimno", "pl") == ["heating_cooling"]
    assert chosen([HEATING], "e a lenha, onde fica?", "pt") == ["heating_cooling"]
    assert chosen([AIRCON], "czy jest kominek?", "pl") == []  # a fireplace the house does not have
    assert chosen([AIRCON], "tem lenha pra lareira?", "pt") == []


def test_a_thing_the_entry_names_in_another_language_is_no_word_it_lacks() -> None:
    # "e preciso por a capa no jacuzzi?": the Dutch entry's "afdekhoes" is the cover
    index = build_index(
        [{"topic": "custom:hot-tub", "title": "Hottub", "content": {"nl": "Na gebruik de afdekhoes erop."}}]
    )
    assert uncovered(index, "e preciso por a capa no jacuzzi?", ["custom:hot-tub"], language="pt", closed=True) == []
    assert uncovered(index, "jest pokrywa na jacuzzi?", ["custom:hot-tub"], language="pl", closed=True) == []
    assert uncovered(index, "tem toalhas no jacuzzi?", ["custom:hot-tub"], language="pt", closed=True) == ["toalhas"]
