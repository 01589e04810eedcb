"""Text folding: the plain-ASCII shortcut gives what the full Unicode path gives."""

import string
import unicodedata

from concierge.core.text import fold, simplified


def _fold_by_unicode(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch in "\u3099\u309a")
    return unicodedata.normalize("NFC", kept)


def test_ascii_text_folds_as_the_unicode_path_folds_it() -> None:
    texts = [string.printable, "WiFi PASSWORD?", "Check-OUT at 11:00 AM", "".join(map(chr, range(128)))]
    for text in texts:
        assert fold(text) == _fold_by_unicode(text)


def test_accented_and_japanese_text_still_fold() -> None:
    assert fold("Ça VA? Überprüfen") == "ca va? uberprufen"
    assert fold("バス") != fold("パス")  # the voicing marks are kept


def test_a_letter_with_a_stroke_folds_like_an_accented_one() -> None:
    assert fold("suszarka do włosów") == fold("suszarka do wlosow") == "suszarka do wlosow"


def test_traditional_chinese_is_simplified_and_simplified_text_stays() -> None:
    assert simplified("廚房有煤氣味") == "厨房有煤气味"
    # hanziconv's table maps these simplified characters to variants: "not breathing" must stay what the lexicon says.
    assert simplified("我老公好像没有呼吸了") == "我老公好像没有呼吸了"
    # hanziconv leaves these traditional characters as they are: 抽菸 is 抽烟 (smoking), 沖涼 冲凉 (a shower).
    assert simplified("可以抽菸嗎") == "可以抽烟吗"
    assert simplified("沖涼") == "冲凉"
    assert simplified("廚房有糊味") == "厨房有糊味"
    assert simplified("no han characters") == "no han characters"
