"""Japanese and Chinese questions: things they name that nothing knows; traditional characters (knowledge/cjk.py)."""

from typing import Any

from knowledge.cjk import simplified, unknown_cjk
from knowledge.index import build_index
from knowledge.questions import decide

ENTRIES: list[dict[str, Any]] = [
    {
        "topic": "pool",
        "title": "Pool",
        "content": {"en": "The rooftop pool is open from June to September, 10:00 to 21:00."},
    },
    {"topic": "kitchen", "title": "Kitchen", "content": {"en": "Oven, microwave, dishwasher and a kettle."}},
    {"topic": "parking", "title": "Parking", "content": {"en": "Parking Mar is 4 minutes away, 14 € a day."}},
    {
        "topic": "custom:bikes",
        "title": "Bikes",
        "content": {"en": "4 bikes for guests in the shed, 2 with a child seat."},
    },
]
INDEX = build_index(ENTRIES)


def answered(message: str, language: str) -> tuple[list[str], int]:
    decision = decide(INDEX, simplified(message, language), language=language, threshold=0.7)
    return [c.topic for c in decision.selected], decision.open_questions


def test_a_thing_nothing_knows_is_what_a_chinese_or_japanese_question_asks() -> None:
    assert unknown_cjk(INDEX, "烤箱可以用锡纸吗？", "zh") == ["锡纸"]  # foil in the oven
    assert unknown_cjk(INDEX, "泳池有救生员吗？", "zh") == ["救生员"]  # a lifeguard at the pool
    assert unknown_cjk(INDEX, "自転車用のヘルメットも借りられますか？", "ja") == ["ヘルメット"]


def test_how_a_question_asks_is_no_thing() -> None:
    assert unknown_cjk(INDEX, "泳池几点开放呢？我们晚上能去吗", "zh") == []
    assert unknown_cjk(INDEX, "プールは何時まで使えますか？", "ja") == []
    assert unknown_cjk(INDEX, "is the pool heated?", "en") == []  # other languages keep their own words


def test_the_entry_is_not_the_answer_to_a_detail_it_cannot_be_seen_to_give() -> None:
    assert answered("烤箱可以用锡纸吗？", "zh") == ([], 1)
    assert answered("屋頂泳池有救生員嗎？", "zh") == ([], 1)
    assert answered("自転車用のヘルメットも借りられますか？", "ja") == ([], 1)


def test_near_misses_the_entry_answers_stay_answered() -> None:
    assert answered("泳池几点开放？", "zh") == (["pool"], 0)
    assert answered("プールは何時まで使えますか？", "ja") == (["pool"], 0)
    assert answered("自転車借りられる？", "ja") == (["custom:bikes"], 0)


def test_traditional_chinese_is_read_in_simplified_characters() -> None:
    assert simplified("請問哪裡可以停車", "zh") == "请问哪里可以停车"
    assert simplified("駐車場はどこ", "ja") == "駐車場はどこ"  # Japanese kanji stay as written
    assert answered("請問附近哪裡可以停車呀？", "zh") == (["parking"], 0)


def test_a_thing_the_entry_holds_as_written_is_given() -> None:
    index = build_index(
        [{"topic": "custom:bikes", "title": "Bikes", "content": {"ja": "自転車は4台、ヘルメットもあります。"}}]
    )
    assert unknown_cjk(index, "ヘルメットも借りられますか？", "ja", ["custom:bikes"]) == []
    assert unknown_cjk(index, "ヘルメットも借りられますか？", "ja") == ["ヘルメット"]


def test_a_thing_the_entry_names_in_another_language_is_no_unknown() -> None:
    linen = build_index(
        [{"topic": "check_out", "title": "Check-out", "content": {"en": "Leave the bed linen on the beds."}}]
    )
    assert unknown_cjk(linen, "シーツは剥がしますか", "ja", ["check_out"]) == []  # the entry's "bed linen"
    assert unknown_cjk(linen, "タオルは洗いますか", "ja", ["check_out"]) == ["タオル"]


def test_everyday_places_and_things_the_entry_names_are_no_unknown_thing() -> None:
    # 楼顶 (rooftop), 卧室 (bedroom) and 盖子 (the lid) are the entry's own rooftop, bedroom and cover, in English
    index = build_index(
        [
            {"topic": "pool", "title": "Pool", "content": {"en": "The rooftop pool is open 10:00 to 21:00."}},
            {"topic": "heating_cooling", "title": "Fans", "content": {"en": "Two fans are in the bedroom wardrobe."}},
            {"topic": "custom:hot-tub", "title": "Hot tub", "content": {"en": "Put the cover back on after use."}},
        ]
    )
    assert unknown_cjk(index, "楼顶的游泳池几点关门", "zh", ["pool"]) == []
    assert unknown_cjk(index, "卧室有电风扇吗", "zh", ["heating_cooling"]) == []
    assert unknown_cjk(index, simplified("熱水浴缸用完要把蓋子蓋回去嗎", "zh"), "zh", ["custom:hot-tub"]) == []
    assert unknown_cjk(index, "卧室有保险箱吗", "zh", ["heating_cooling"]) == ["保险箱"]  # a safe: still unknown
    assert unknown_cjk(index, "楼顶有没有救生员", "zh", ["pool"]) == ["救生员"]  # a lifeguard: still unknown
