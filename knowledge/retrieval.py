"""Offline retrieval: rank a version's entries for a guest message, across languages and misspellings."""

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from concierge.i18n.detect import fold
from knowledge.lexicon import FUNCTION_WORDS, KEYWORDS, SHARED_FUNCTION_WORDS

_TOKEN = re.compile(r"\w+(?:[-']\w+)*", re.UNICODE)  # "check-in" stays one word
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_STOPWORDS = frozenset(fold(w) for words in (*FUNCTION_WORDS.values(), SHARED_FUNCTION_WORDS) for w in words)

# A fuzzy word match counts from this similarity (0–100): "wiifi"~"wifi" is 89, "pasword"~"password" 93.
WORD_MATCH = 84.0
# A word that starts another ("park" / "parking", "pass" / "password") scores this, when long enough.
PREFIX_SCORE = 0.88
# Words of the entry's own title and content count, but less than the curated lexicon.
TITLE_WEIGHT = 0.9
CONTENT_WEIGHT = 0.75


@dataclass(frozen=True)
class Candidate:
    topic: str
    score: float  # 0..1: how sure we are this entry answers the message
    matched: str  # the lexicon word, title or content word that matched best


def tokens(text: str) -> list[str]:
    """Folded words of a text, without the most common function words."""
    return [t for t in _TOKEN.findall(fold(text)) if t not in _STOPWORDS]


def _word_score(word: str, message_tokens: list[str]) -> float:
    """Best similarity (0..1) of one keyword against the message's words; short words must match exactly."""
    if len(word) <= 3:
        return 1.0 if word in message_tokens else 0.0
    best = max((fuzz.ratio(word, t) for t in message_tokens if len(t) >= 3), default=0.0)
    if best >= WORD_MATCH:
        return best / 100.0
    return PREFIX_SCORE if any(_is_prefix(word, t) for t in message_tokens) else 0.0


def _is_prefix(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and 2 * len(short) >= len(long) and long.startswith(short)


def _phrase_score(phrase: str, folded_message: str, message_tokens: list[str]) -> float:
    """A multi-word keyword matches when all its words do (each may be misspelled)."""
    if _CJK.search(phrase):
        return 1.0 if phrase in folded_message else 0.0
    words = [w for w in _TOKEN.findall(phrase) if w not in _STOPWORDS] or _TOKEN.findall(phrase)
    if len(words) == 1:
        return _word_score(words[0], message_tokens)
    scores = [_word_score(w, message_tokens) for w in words]
    return min(scores) if all(scores) else 0.0


@lru_cache(maxsize=64)
def _topic_keywords(topic: str) -> tuple[str, ...]:
    by_language = KEYWORDS.get(topic, {})
    return tuple(sorted({fold(k) for words in by_language.values() for k in words}))


def rank(entries: list[dict[str, Any]], message: str) -> list[Candidate]:
    """Entries ranked by how well they answer the message, best first, zero scores dropped."""
    folded = fold(message)
    message_tokens = tokens(message)
    if not message_tokens and not _CJK.search(folded):
        return []
    distinctive = _distinctive_content_words(entries)
    candidates = []
    for entry in entries:
        best = (0.0, "")
        for keyword in _topic_keywords(entry["topic"]):
            score = _phrase_score(keyword, folded, message_tokens)
            if score > best[0]:
                best = (score, keyword)
        for word in tokens(entry["title"]):
            score = _word_score(word, message_tokens) * TITLE_WEIGHT
            if score > best[0]:
                best = (score, word)
        if best[0] < 0.9:
            for word in distinctive.get(entry["topic"], ()):
                score = _word_score(word, message_tokens) * CONTENT_WEIGHT
                if score > best[0]:
                    best = (score, word)
        if best[0] > 0:
            candidates.append(Candidate(topic=entry["topic"], score=round(best[0], 3), matched=best[1]))
    return sorted(candidates, key=lambda c: -c.score)


def _distinctive_content_words(entries: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Per entry, the content words (5+ letters) no other entry uses: "hairdryer" yes, "apartment" no."""
    words = {e["topic"]: {w for text in e["content"].values() for w in tokens(text) if len(w) >= 5} for e in entries}
    seen: dict[str, int] = {}
    for entry_words in words.values():
        for word in entry_words:
            seen[word] = seen.get(word, 0) + 1
    return {topic: {w for w in entry_words if seen[w] == 1} for topic, entry_words in words.items()}


def select(candidates: list[Candidate], *, threshold: float, most: int = 3) -> list[Candidate]:
    """The candidates to answer with: every one at or above the threshold, up to `most`."""
    return [c for c in candidates if c.score >= threshold][:most]
