"""Text folding shared by retrieval, screening and language detection (below every package that compares words)."""

import unicodedata

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
