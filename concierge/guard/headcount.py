"""How many people a guest says will stay, and the most the house rules allow (`data/headcount.yaml`).

"We'll be 5 then", "3 adults plus a toddler", "somos 4 adultos y vamos con nuestro bebé": a party larger than the
"Maximum 4 guests" of the property's rules is a request for extra guests however it is worded, so a person decides.
A number is a headcount right after words that give the party's size, or right before a word for people ("8 month
old", "at 6am" are none); a spelled number ("we'd be eight", "met z'n achten") counts as its digits would.
"""

import re
from functools import cache
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode

from concierge.core.text import fold
from concierge.guard.lexicon import DATA
from knowledge.lexicon import SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_words, load_yaml_data, mapping
from knowledge.services import asks_service

KINDS = ("maximum", "people", "adults", "we_are", "infants", "numbers")
_GAP = r"[\s:,.()-]{0,3}(?:\w+\s)?"  # "Maximum 4", "Máximo: 4", "at most 4", "saremmo in 4", "max. 4"
_NUMBER = r"(\d{1,2})(?![\d:.,]\d)"
_CJK = "\u3040-\u30ff\u4e00-\u9fff"
_END = rf"(?:(?![^\W\d_])|(?<=[{_CJK}]))"  # a whole word; Japanese and Chinese words run on ("4人で")


def _load(path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    node = load_yaml_data(path)
    kinds = mapping(path, node, KINDS, "kind") if isinstance(node, MappingNode) else {}
    return {kind: language_words(path, value, SUPPORTED_LANGUAGES) for kind, value in kinds.items()}


WORDS = _load(DATA / "headcount.yaml")


def _alternation(kind: str, languages: tuple[str, ...]) -> str:
    words = sorted({fold(w) for language in languages for w in WORDS[kind].get(language, ())}, key=len, reverse=True)
    return "|".join(re.escape(w) for w in words)


def _bounded(words: str) -> str:
    """Whole words, except Japanese and Chinese ones (no spaces between words there)."""
    return rf"(?:(?<![^\W\d_])(?:{words})(?![^\W\d_])|(?:{words})(?=[{_CJK}]|\d|$))"


@cache
def _patterns(language: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    languages = tuple(dict.fromkeys((language, "en")))
    people, adults = _alternation("people", languages), _alternation("adults", languages)
    before = re.compile(rf"(?:{_alternation('we_are', languages)})\s*{_GAP}{_NUMBER}(?!\s?(?:am|pm|h|uhr)\b)")
    after = re.compile(rf"(?<![\d:.,]){_NUMBER}\s?(?:{people}){_END}")
    grown = re.compile(rf"(?<![\d:.,]){_NUMBER}\s?(?:{adults}){_END}")
    infants = re.compile(_bounded(_alternation("infants", languages)))
    return before, after, grown, infants


@cache
def _spelled(language: str) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """The spelled numbers of `language` and English, as one pattern, and their digits."""
    digits = {
        fold(word): str(n)
        for lang in dict.fromkeys((language, "en"))
        for n, word in enumerate(WORDS["numbers"].get(lang, ()), start=2)
    }
    if not digits:
        return None, digits
    return re.compile(_bounded("|".join(re.escape(w) for w in sorted(digits, key=len, reverse=True)))), digits


def _with_digits(folded: str, language: str) -> str:
    pattern, digits = _spelled(language)
    return pattern.sub(lambda m: digits[m.group(0)], folded) if pattern else folded


def party_size(text: str, *, language: str) -> int | None:
    """The number of people the message says will stay (the largest it gives, a baby beside a number of adults
    counting as one more), or None when it gives none. A service asked of the host ("a table for 4 people") gives
    the size of a table or a tour, not of the stay."""
    if asks_service(text, language):
        return None
    folded = _with_digits(fold(text), language)
    before, after, grown, infants = _patterns(language)
    counts = [int(m.group(1)) for pattern in (before, after) for m in pattern.finditer(folded)]
    if not counts:
        return None
    adults = [int(m.group(1)) for m in grown.finditer(folded)]
    baby = 1 if adults and infants.search(folded) else 0
    return max(max(counts), max(adults, default=0) + baby)


@cache
def _maximum_pattern() -> re.Pattern[str]:
    words = _alternation("maximum", SUPPORTED_LANGUAGES)
    return re.compile(
        rf"(?:(?<![^\W\d_])(?:{words}){_GAP}{_NUMBER}|(?<![\d:.,]){_NUMBER}\s\w+\s(?:{words})(?![^\W\d_]))"
    )


def maximum_guests(entry: dict[str, Any] | None) -> int | None:
    """The most guests a rules entry allows ("Maximum 4 guests", "4 personnes maximum"), in any of its languages."""
    for text in (entry or {}).get("content", {}).values():
        found = _maximum_pattern().search(fold(text))
        if found:
            return int(found.group(1) or found.group(2))
    return None
