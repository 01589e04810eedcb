"""Chat shorthand: how guests abbreviate on a phone ("a q hora", "dnd", "xq", "vc", "stp").

A whole word of the message's own language's list (`knowledge/data/shorthand.yaml`, case and accents folded) is
read as the words it stands for before the message is split into its questions and ranked, so "oye dnd dejamos las
llaves el dia q nos vamos" asks where the keys go as "donde dejamos las llaves" does. Other languages' shorthand is
never applied ("x" is "por" in Spanish, "per" in Italian).
"""

import re
from functools import cache

from concierge.core.text import fold
from knowledge.lexicon import DATA, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import data_error, language_words, load_yaml_data

_SHORTHAND = DATA / "shorthand.yaml"


@cache
def _table() -> dict[str, tuple[re.Pattern[str], dict[str, str]]]:
    found = language_words(_SHORTHAND, load_yaml_data(_SHORTHAND), SUPPORTED_LANGUAGES, required=False)
    tables: dict[str, tuple[re.Pattern[str], dict[str, str]]] = {}
    for language, entries in found.items():
        meant: dict[str, str] = {}
        for entry in entries:
            typed, sep, full = entry.partition("=")
            if not sep or not typed.strip() or not full.strip():
                raise data_error(_SHORTHAND, None, f"{language}: {entry!r} is not typed=meant")
            meant[fold(typed.strip())] = full.strip()
        words = "|".join(re.escape(w) for w in sorted(meant, key=len, reverse=True))
        tables[language] = (re.compile(rf"(?<![\w'])({words})(?![\w'])", re.IGNORECASE), meant)
    return tables


def expand(text: str, language: str) -> str:
    """`text` with the shorthand of `language` written out; unchanged for a language without a list."""
    table = _table().get(language)
    if table is None:
        return text
    pattern, meant = table
    return pattern.sub(lambda m: meant.get(fold(m.group(0)), m.group(0)), text)


def typed_words() -> dict[str, frozenset[str]]:
    """Per language, the shorthand its guests type (folded): "hj", "tbm" are Portuguese, "xq" Spanish."""
    return {language: frozenset(meant) for language, (_, meant) in _table().items()}
