"""Text folding shared by retrieval, screening and language detection (below every package that compares words)."""

import re
import unicodedata

from hanziconv import HanziConv

_KANA_MARKS = "\u3099\u309a"  # Japanese voicing marks: バス (bus) and パス (pass) must stay apart
# Letters whose stroke is no combining mark, typed without it like any accent: Polish "włosów" as "wlosow".
_STROKES = str.maketrans({"ł": "l"})


def fold(text: str) -> str:
    """Lowercase without accents: how guests' words and lexicon words are compared."""
    if text.isascii():  # most messages and entries: no accents to strip, and every normal form is the text itself
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch in _KANA_MARKS)
    return unicodedata.normalize("NFC", kept).translate(_STROKES)


_HAN = re.compile(r"[\u4e00-\u9fff]")


# Simplified characters hanziconv's table still maps to a variant: 呼 (呼吸, breathing) is no 唿, 糊 (糊味, a burnt
# smell) no 煳. Converted, "没有呼吸了" (he is not breathing) would miss the medical emergency's phrase.
_HAN_KEPT = re.compile("([呼糊])")
# Traditional characters hanziconv's table leaves as they are: 菸 (抽菸, smoking; 菸味, a smell of smoke) is 烟,
# 沖 (沖涼, a shower) is 冲.
_HAN_MISSED = str.maketrans({"菸": "烟", "沖": "冲"})


def simplified(text: str) -> str:
    """Chinese characters in their simplified form ("煤氣味" → "煤气味"): traditional and simplified writing compared as
    one, like accents. Text without Han characters is returned as it is."""
    if not _HAN.search(text):
        return text
    parts = _HAN_KEPT.split(text)
    return "".join(part if _HAN_KEPT.fullmatch(part) else HanziConv.toSimplified(part) for part in parts).translate(
        _HAN_MISSED
    )
