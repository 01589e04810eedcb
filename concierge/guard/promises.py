"""The promise rule of the output check: what a reply grants, judged by meaning, not by the words it uses.

A sentence promises a concession (a refund, discount, compensation, early check-in, late check-out, extra night or
extra guest) when it names one and grants, approves, confirms or promises something, and does not say it does not.
The property's own published sentences are taken out of the reply first: quoting the written policy word for word
is how a reply may mention an offer; approving it is for people. The phrases are data (`data/promises.yaml`).
"""

import re
from functools import cache
from pathlib import Path

from concierge.guard.phrases import normalize
from knowledge.lexicon import SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_words, load_yaml_data, mapping

DATA = Path(__file__).parent / "data" / "promises.yaml"
CATEGORIES = (
    "refund",
    "discount",
    "compensation",
    "early_check_in",
    "late_check_out",
    "extra_night",
    "extra_guest",
)
MIN_QUOTE_CHARS = 12  # a policy sentence shorter than this is too generic to count as a quotation
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_SENTENCES = re.compile(r"(?<=[.!?;:])\s+|\n+|(?<=[。！？；])")


def _pattern(phrase: str) -> str:
    """A folded phrase as a regex: `*` skips up to three words, `word*` matches the words it begins."""
    folded = normalize(phrase)
    if _CJK.search(folded):
        return re.escape(folded)
    tokens = folded.split()
    parts = []
    for token in tokens:
        if token == "*":
            parts.append(r"(?:\w+\W+){0,3}")
        elif token.endswith("*"):
            parts.append(re.escape(token[:-1]) + r"\w*\W+")
        else:
            parts.append(re.escape(token) + r"\W+")
    body = "".join(parts)
    body = body.removesuffix(r"\W+")
    tail = r"(?!\w)" if re.search(r"\w$", folded) or folded.endswith("*") else ""
    return r"(?<!\w)" + body + tail


def _alternation(phrases: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{_pattern(p)})" for p in phrases))


@cache
def _rules() -> tuple[dict[str, re.Pattern[str]], re.Pattern[str], dict[str, re.Pattern[str]], re.Pattern[str]]:
    """(concession pattern per category, grant pattern, negation pattern per language): concessions and grants in
    every language at once (models mix languages), negations in the reply's language ("no" is Spanish for "not",
    never English for "no problem"), and the agreeing idioms that look negative ("kein Problem")."""
    root = mapping(DATA, load_yaml_data(DATA), ("concessions", "grants", "negations", "idioms"), "section")
    by_category = mapping(DATA, root["concessions"], CATEGORIES, "category")
    concessions = {}
    for category, node in by_category.items():
        phrases = language_words(DATA, node, SUPPORTED_LANGUAGES)
        concessions[category] = _alternation([p for words in phrases.values() for p in words])
    grants = language_words(DATA, root["grants"], SUPPORTED_LANGUAGES)
    negations = language_words(DATA, root["negations"], SUPPORTED_LANGUAGES)
    idioms = language_words(DATA, root["idioms"], SUPPORTED_LANGUAGES)
    return (
        concessions,
        _alternation([p for words in grants.values() for p in words]),
        {language: _alternation(list(words)) for language, words in negations.items()},
        _alternation([p for words in idioms.values() for p in words]),
    )


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.split(text) if s.strip()]


@cache
def _policy_sentences(policy: tuple[str, ...]) -> tuple[str, ...]:
    found = {s for text in policy for s in _sentences(normalize(text)) if len(s) >= MIN_QUOTE_CHARS}
    return tuple(sorted(found, key=len, reverse=True))  # longest first: a sentence is removed before its parts


def promised(reply: str, policy: list[str], *, language: str = "en") -> list[str]:
    """The concessions a reply in `language` grants beyond quoting the property's published text (normally none)."""
    text = normalize(reply)
    for sentence in _policy_sentences(tuple(policy)):
        if sentence in text:
            text = text.replace(sentence, " ")
    concessions, grants, by_language, idioms = _rules()
    negations = [by_language[code] for code in dict.fromkeys((language, "en")) if code in by_language]
    found: list[str] = []
    for sentence in _sentences(text):
        named = [c for c, pattern in concessions.items() if c not in found and pattern.search(sentence)]
        plain = idioms.sub(" ", sentence)
        if named and grants.search(sentence) and not any(n.search(plain) for n in negations):
            found += named
    return found
