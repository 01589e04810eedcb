"""Clauses: a sentence without a question mark often asks two things, or tells a circumstance and then asks.

"what's the wifi password is there parking nearby" asks two questions; "our train gets in at 11, what time is check
in" tells how the guest arrives and asks one. A sentence is cut at commas, and before a word that starts a question
(`starts` of `knowledge/data/question_starts.yaml`) when two or more words of a question come before it. A clause
that starts with such a word, or holds a request word ("wifi password please"), is a question; the other clauses
are circumstances.
Japanese and Chinese sentences are cut at spaces, and a clause holding one of the words is a question.
`knowledge/questions.py` uses the clauses only when they settle what an ambiguous sentence asks.
"""

import re
from functools import cache

from knowledge.index import CJK
from knowledge.lexicon import DATA, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_words, load_yaml_data, mapping

_PATH = DATA / "question_starts.yaml"
# Words a clause needs before a question word cuts it: "where can we …" is one question, not "where" and "can we …".
BEFORE = 2
# A clause is a question when one of its first words starts one ("ciao a che ora …", "hello what time …").
LEAD = 3
_COMMA = re.compile(r"[,，、]")
_CJK_SPACE = re.compile(r"(?<=[\u3040-\u30ff\u4e00-\u9fff])\s+(?=[\u3040-\u30ff\u4e00-\u9fff])")
_TOKEN = re.compile(r"\w+(?:[-']\w+)*", re.UNICODE)


def _load() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    node = mapping(_PATH, load_yaml_data(_PATH), ["starts", "requests"], "section")
    starts = language_words(_PATH, node["starts"], SUPPORTED_LANGUAGES)
    requests = language_words(_PATH, node["requests"], SUPPORTED_LANGUAGES)
    return starts, requests


STARTS, REQUESTS = _load()


@cache
def _phrases(language: str) -> tuple[frozenset[tuple[str, ...]], frozenset[tuple[str, ...]]]:
    """The question starts and the request words of `language` and English, each as a tuple of words."""
    languages = dict.fromkeys((language, "en"))

    def split(found: dict[str, tuple[str, ...]]) -> frozenset[tuple[str, ...]]:
        return frozenset(tuple(_TOKEN.findall(w.lower())) for lang in languages for w in found.get(lang, ()))

    return split(STARTS), split(REQUESTS)


def _at(words: list[str], i: int, phrases: frozenset[tuple[str, ...]]) -> bool:
    return any(tuple(words[i : i + len(p)]) == p for p in phrases)


def _asks(words: list[str], first: int, end: int, language: str) -> bool:
    """Whether the clause `words[first:end]` starts with a question word (within its first words) or holds a request."""
    starts, requests = _phrases(language)
    return any(_at(words, i, starts) for i in range(first, min(first + LEAD, end))) or any(
        _at(words, i, requests) for i in range(first, end)
    )


def clauses(text: str, language: str) -> list[tuple[str, bool]]:
    """The clauses of a sentence, each with whether it asks a question; one clause when nothing cuts it."""
    if CJK.search(text):
        return _cjk_clauses(text, language)
    starts, _requests = _phrases(language)
    found: list[tuple[str, bool]] = []
    for chunk in _COMMA.split(text):
        lowered = chunk.lower().replace("’", "'")
        matches = list(_TOKEN.finditer(lowered))
        words = [m.group() for m in matches]
        cuts = [0]
        for i in range(len(words)):
            # Only a question is cut before the next one: "en la piscina hay toallas" asks one thing.
            if i - cuts[-1] >= BEFORE and _at(words, i, starts) and _asks(words, cuts[-1], i, language):
                cuts.append(i)
        for first, end in zip(cuts, [*cuts[1:], len(words)], strict=True):
            if first < end:
                stop = matches[end].start() if end < len(words) else len(chunk)
                found.append((chunk[matches[first].start() : stop], _asks(words, first, end, language)))
    return found


def _cjk_clauses(text: str, language: str) -> list[tuple[str, bool]]:
    starts, requests = _phrases(language)
    markers = {"".join(p) for p in starts | requests if CJK.search("".join(p))}
    pieces = [p for p in _CJK_SPACE.split(text) if p.strip()]
    return [(p, any(m in p for m in markers)) for p in pieces]
