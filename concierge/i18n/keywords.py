"""Topic-word evidence for the language decision (concierge/i18n/detect.py): which topic words only one language
writes, which are loanwords (no evidence: "wifi", "parking") or cognates of one family ("piscina", "wlan"), and which
topic phrases only one language's lists hold."""

import re

from concierge.core.text import fold
from knowledge.lexicon import FUNCTION_WORDS, KEYWORDS, SHARED_FUNCTION_WORDS, SUPPORTED_LANGUAGES

WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", re.UNICODE)

# A topic word of this many languages' lists is a loanword ("wifi", "parking") when they are of several families,
# else a cognate ("piscina": Spanish, Italian, Portuguese; "wlan": German, Dutch, English).
LOANWORD_LANGUAGES = 3
LANGUAGE_FAMILIES = {"es": "romance", "pt": "romance", "it": "romance", "fr": "romance", "en": "germanic"}
LANGUAGE_FAMILIES |= {"de": "germanic", "nl": "germanic", "pl": "slavic", "zh": "chinese", "ja": "japanese"}


def _plain_function_words() -> frozenset[str]:
    """Every language's function words written without accents ("do", "la", "in"): a topic phrase that holds one
    ("chave do quarto") never makes it a loanword. "über" is none: folded, it is the ride app."""
    return frozenset(w for words in FUNCTION_WORDS.values() for w in words if fold(w) == w.lower())


def keyword_words() -> tuple[dict[str, frozenset[str]], frozenset[str], dict[str, frozenset[str]], frozenset[str]]:
    """Single topic words per language that only one language uses, the loanwords, per language its cognates, and
    the words the statistical detector is not given."""
    per_language: dict[str, set[str]] = {lang: set() for lang in SUPPORTED_LANGUAGES}
    for by_language in KEYWORDS.values():
        for lang, keywords in by_language.items():
            for keyword in keywords:
                per_language[lang].update(fold(w) for w in WORD.findall(keyword))
    owners: dict[str, set[str]] = {}
    for lang, found in per_language.items():
        for word in found:
            owners.setdefault(word, set()).add(lang)
    distinct = {lang: frozenset(w for w in found if len(owners[w]) == 1) for lang, found in per_language.items()}
    # "a", "de": little words in phrases of many languages, neither loanwords nor cognates, and read by lingua.
    little = frozenset(fold(w) for w in SHARED_FUNCTION_WORDS) | _plain_function_words()
    many = {
        w: {LANGUAGE_FAMILIES[lang] for lang in langs}
        for w, langs in owners.items()
        if len(langs) >= LOANWORD_LANGUAGES
    }
    many = {w: families for w, families in many.items() if w not in little}
    # "wifi", "check-in", "taxi": no evidence for any language. "piscina", "wlan": as much evidence for each language
    # of its family as against the others. lingua is given neither: "piscina" makes "la llave de la piscina" Italian.
    loanwords = frozenset(w for w, families in many.items() if len(families) > 1)
    cognates = {lang: frozenset(w for w in found if len(many.get(w, ())) == 1) for lang, found in per_language.items()}
    return distinct, loanwords, cognates, frozenset(many)


def keyword_phrases() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Topic phrases of several words that only one language's lists hold ("secador de pelo", "toallas de playa")."""
    owners: dict[tuple[str, ...], set[str]] = {}
    for by_language in KEYWORDS.values():
        for lang, keywords in by_language.items():
            for keyword in keywords:
                words = tuple(fold(w) for w in WORD.findall(keyword))
                if len(words) > 1:
                    owners.setdefault(words, set()).add(lang)
    found: dict[str, list[tuple[str, ...]]] = {}
    for words, langs in owners.items():
        if len(langs) == 1:
            found.setdefault(next(iter(langs)), []).append(words)
    return {lang: tuple(phrases) for lang, phrases in found.items()}
