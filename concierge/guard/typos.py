"""Misspelt emergency words read as meant: a guest in a panic types "chokng" and "breth" (`data/typos.yaml`).

Each entry is a whole word that is no word of any supported language, so correcting it in every message, whatever
its language, never changes what a calm guest wrote. The screening phrases are matched on the corrected text.
"""

import re
from functools import cache
from pathlib import Path

from concierge.guard.phrases import WORD, normalize
from knowledge.lexicon import SUPPORTED_LANGUAGES
from knowledge.lexicon_data import data_error, language_file

PATH = Path(__file__).parent / "data" / "typos.yaml"
SEPARATOR = "="


def load(path: Path = PATH) -> dict[str, str]:
    """Typed word -> meant word(s), folded, over every language of the file."""
    corrections: dict[str, str] = {}
    for entries in language_file(path, SUPPORTED_LANGUAGES).values():
        for entry in entries:
            typed, separator, meant = (normalize(part.strip()) for part in entry.partition(SEPARATOR))
            if not separator or not WORD.fullmatch(typed) or not meant or typed == meant:
                raise data_error(path, None, f"expected typed{SEPARATOR}meant with a single typed word, got {entry!r}")
            corrections[typed] = meant
    return corrections


CORRECTIONS = load()


@cache
def _pattern() -> re.Pattern[str]:
    typed = sorted(CORRECTIONS, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(word) for word in typed) + r")(?!\w)")


def corrected(folded: str) -> str:
    """The folded text with every listed misspelling replaced by the word meant."""
    if not CORRECTIONS:
        return folded
    return _pattern().sub(lambda match: CORRECTIONS[match.group(0)], folded)
