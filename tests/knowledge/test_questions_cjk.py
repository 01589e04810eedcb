"""Japanese and Chinese guests who type no question mark, and the keys of the check-out beside the door's entry
(issue #17, branch blind-zh3): the entries are written in English only, as in most packs."""

from typing import Any

from knowledge.asking import parts
from knowledge.index import build_index
from knowledge.questions import decide

ENTRIES: list[dict[str, Any]] = [
    {"topic": "wifi", "title": "Wi-Fi", "content": {"en": "Network: Loft. Password: kanal-blau."}},
    {"topic": "trash", "title": "Rubbish", "content": {"en": "The bins are in the courtyard."}},
    {"topic": "kitchen", "title": "Kitchen", "content": {"en": "The kitchen has an oven, a kettle and a toaster."}},
    {
        "topic": "laundry",
        "title": "Washer",
        "content": {"en": "The washing machine is in the bathroom; detergent on top."},
    },
    {
        "topic": "check_out",
        "title": "Check-out",
        "content": {"en": "Check-out is by 11:00. Put the keys back in the lockbox and close it."},
    },
    {"topic": "access", "title": "Lockbox", "content": {"en": "The lockbox is by the door. Code: 4821."}},
]
INDEX = build_index(ENTRIES)


def selected(message: str, language: str) -> list[str]:
    return [c.topic for c in decide(INDEX, message, language=language, threshold=0.7).selected]


def test_a_piece_ending_with_its_question_particle_is_asked() -> None:
    assert parts("厨房有电饭煲吗", language="zh") == [("厨房有电饭煲吗", True)]
    assert parts("wifi密码是多少？另外垃圾要扔到哪里", language="zh")[-1] == ("垃圾要扔到哪里", True)


def test_a_thing_nothing_knows_in_an_unmarked_closed_question_goes_to_a_person() -> None:
    assert selected("厨房有电饭煲吗", "zh") == []  # a rice cooker: the kitchen's list does not say
    assert selected("洗濯用の柔軟剤は置いてありますか", "ja") == []  # fabric softener
    assert selected("厨房有烤箱吗", "zh") == ["kitchen"]  # the oven it lists


def test_the_second_question_without_its_mark_is_answered_too() -> None:
    assert selected("wifi密码是多少？另外垃圾要扔到哪里", "zh") == ["wifi", "trash"]


def test_the_keys_at_check_out_are_the_check_outs_not_the_doors() -> None:
    assert selected("请问退房最晚几点要离开呢？钥匙要放回哪里？", "zh") == ["check_out"]
    assert selected("何時までに出ればいいですか？鍵はどうしたらいいでしょう", "ja") == ["check_out"]
    assert "access" in selected("チェックアウトは何時？キーボックスの暗証番号は？", "ja")  # the code is asked


def test_a_question_then_why_without_marks_asks_only_the_question() -> None:
    tips = {"topic": "local_tips", "title": "Tips", "content": {"en": "Fish at Zeezicht; a market on Saturdays."}}
    index = build_index([ENTRIES[2], tips])
    message = "附近有超市吗 想买点菜自己做饭"  # a supermarket, which the tips do not name; the cooking tells why
    assert decide(index, message, language="zh", threshold=0.7).selected == []


def test_the_door_named_only_by_the_keys_beside_a_topic_we_would_ask_about_is_no_answer() -> None:
    check_out = {
        "topic": "check_out",
        "title": "Check-out",
        "content": {
            "en": "Check-out is by 10:00. Put the key back in the key safe and leave the bed linen on the beds."
        },
    }
    amenities = {"topic": "amenities", "title": "Included", "content": {"en": "Bed linen and towels are included."}}
    index = build_index([check_out, amenities, ENTRIES[-1]])
    message = "チェックアウトの際、シーツは剥がしたほうがよろしいでしょうか。鍵はどちらに返却すればよいですか。"
    assert "access" not in [c.topic for c in decide(index, message, language="ja", threshold=0.7).selected]
