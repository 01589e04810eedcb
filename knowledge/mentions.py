"""What an entry's text mentions and which words of a question carry its content (knowledge/coverage.py asks both).

An entry mentions a word as it is, by its first letters ("connect" / "connection"), as another form of it (its stem),
or, for a place (a balcony, a window), by that place's word in any language. A question's content words are what it
asks about: not its function or everyday words, not how it asks (`knowledge/data/open_questions.yaml`: "is there",
"tenéis", "dürfen"), not what the guest says they do not need ("no need for parking").
"""

import re
from functools import lru_cache
from itertools import pairwise

from concierge.core.text import fold
from knowledge.index import CJK, COMMON, STOPWORDS, words_of
from knowledge.lexicon import DATA, FOLLOW_UP_WORDS, PLACES, RECOMMENDATION_WORDS, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_file
from knowledge.stems import stem

NEGATIONS: dict[str, frozenset[str]] = {
    language: frozenset(fold(w) for w in found)
    for language, found in language_file(DATA / "negations.yaml", SUPPORTED_LANGUAGES).items()
}
OPEN_QUESTIONS: dict[str, tuple[str, ...]] = {
    language: tuple(fold(w) for w in found)
    for language, found in language_file(DATA / "open_questions.yaml", SUPPORTED_LANGUAGES).items()
}
OPEN_WORDS = frozenset(w for found in OPEN_QUESTIONS.values() for w in found)
FOLLOW_UPS = frozenset(fold(w) for w in FOLLOW_UP_WORDS)
RECOMMENDATIONS = tuple(fold(w) for w in RECOMMENDATION_WORDS if len(w) >= 4)
# "dzień dobry", "guten Abend", "buongiorno": a greeting's words ask for no recommendation.
GREETINGS = frozenset(
    fold(w) for found in language_file(DATA / "greetings.yaml", SUPPORTED_LANGUAGES).values() for w in found
)
# Each place word (folded) → the (language, word) pairs of that place in every language.
PLACE_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    fold(word): tuple((lang, fold(w)) for lang, ws in by_language.items() for w in ws)
    for by_language in PLACES.values()
    for found in by_language.values()
    for word in found
}
POSSESSIVES: dict[str, frozenset[str]] = {
    language: frozenset(fold(w) for w in found)
    for language, found in language_file(DATA / "possessives.yaml", SUPPORTED_LANGUAGES).items()
}
# Words shorter than this say too little on their own ("bit", "way", "get") to hold an answer back.
MIN_WORD = 4
YES_NO_FRAMES = frozenset(
    fold(w) for found in language_file(DATA / "yes_no_frames.yaml", SUPPORTED_LANGUAGES).values() for w in found
)
# A figure and the letters after it ("4k", "15h"); `FIGURE_UNITS` are those that tell a time, a day or a rank.
_WORDS_AS_WRITTEN = re.compile(r"[^\w'-]+")
_FIGURE = re.compile(r"(\d+)([a-z]+)")
FIGURE_UNITS = frozenset(
    fold(w) for found in language_file(DATA / "figure_units.yaml", SUPPORTED_LANGUAGES).values() for w in found
)
# Shared start of two words that makes them one ("connect" / "connection", "closes" / "closed").
PREFIX = 5
# The guest's own thing is named this many words after a possessive ("my old laptop").
OWNED_REACH = 2
# A word this many words after a negation is what the guest does not need ("no need for a late checkout").
NEGATION_REACH = 4


@lru_cache(maxsize=1024)
def _forms(text: str, language: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The words of an entry's text (and of each two written apart: "hair dryer" mentions a "hairdryer"), their
    5-letter starts and their stems in `language`."""
    words = words_of(text)
    found = frozenset(words) | frozenset(w.replace("-", "") for w in words) | frozenset(map("".join, pairwise(words)))
    stems = frozenset(s for s in (stem(w, language) for w in found) if s is not None)
    return found, frozenset(w[:PREFIX] for w in found if len(w) >= PREFIX), stems


def mentions(text: str, word: str, language: str) -> bool:
    """Whether a (folded) entry text mentions `word`, as it is, by its start or as another form of it."""
    found, starts, stems = _forms(text, language)
    if word in found or (len(word) >= PREFIX and word[:PREFIX] in starts):
        return True
    own = stem(word, language)
    return own is not None and own in stems


def mentions_place(text: str, word: str) -> bool:
    """Whether `word` names a place (a balcony, a window) that the entry's text mentions in any of its languages."""
    return any(
        (w in text) if CJK.search(w) else mentions(text, w, language) for language, w in PLACE_WORDS.get(word, ())
    )


def content_words(text: str, *, language: str) -> list[str]:
    """The words of a question that carry its content: no function, everyday or negated words. (Follow-up words
    such as "open" or "price" are kept: `uncovered` holds them against an entry only as another topic's word.)"""
    negations = NEGATIONS.get(language, frozenset()) | NEGATIONS["en"]
    every = words_of(text)
    negated = {w for i, w in enumerate(every) if any(n in negations for n in every[max(0, i - NEGATION_REACH) : i])}
    return [
        w
        for w in dict.fromkeys(every)
        if len(w) >= MIN_WORD
        and (w.isalpha() or _in_parts(w))
        and not CJK.search(w)
        and w not in STOPWORDS
        and w not in COMMON
        and w not in negated
        and w not in negations  # "instead", "without": what the guest does not ask about
        and w not in OPEN_WORDS  # "tenéis", "dürfen": how the question asks, not what
        and not w.startswith(RECOMMENDATIONS)
    ]


def short_words(text: str) -> list[str]:
    """The words too short to be content words that may still name a detail: a figure with its unit ("is the desk
    monitor 4k?", "7kg"), not a time, a day or a rank ("15h", "9pm", "3rd": `figure_units.yaml`). Only a closed
    question asks them (knowledge/coverage.py `uncovered`), and only when nothing in the knowledge base knows them.
    (Three-letter words were tried: most are function words no list holds, "out", "get", "può", "são".)"""
    found = (_FIGURE.fullmatch(w) for w in dict.fromkeys(words_of(text)))
    return [m.group(0) for m in found if m and m.group(2) not in FIGURE_UNITS]


def _in_parts(word: str) -> bool:
    """Whether a hyphenated word is a thing written in parts ("salva-vidas"), not a verb and its pronoun ("pode-se",
    "a-t-il", "est-ce")."""
    return all(len(part) >= MIN_WORD and part.isalpha() for part in word.split("-"))


def present(text: str, words: frozenset[str]) -> frozenset[str] | None:
    """Which of `words` (single words or phrases) a text holds, or None when it asks for recommendations."""
    # "we're" also as "we" and "re"; a word without an apostrophe once, so phrases ("is there room") match as written.
    plain = [part for word in words_of(text) for part in (word, *(word.split("'") if "'" in word else ())) if part]
    folded = " " + " ".join(plain) + " "
    greeted = folded
    for greeting in GREETINGS:  # "dzień dobry, czy parking jest strzeżony?" asks for no recommendation
        greeted = greeted.replace(f" {greeting} ", " ")
    if any(w.startswith(RECOMMENDATIONS) for w in greeted.split()):  # "can you recommend a restaurant?": tips answer
        return None
    # Every language's words: a short question is easily taken for another language ("tenéis secador?" for Portuguese).
    return frozenset(w for w in words if ((w in folded) if CJK.search(w) else f" {w} " in folded))


def is_open(text: str, language: str) -> bool:
    """Whether a question asks where, how, when, whether something exists or may be brought ("is there …?",
    "¿hay …?", "can we bring …?"): the topic's entry answers it, whatever else the question says."""
    found = present(unframed(text), OPEN_WORDS)
    return found is None or bool(found)


def unframed(text: str) -> str:
    """A question without the phrases that only frame it as a yes/no question ("est-ce que …", "será que …": their
    "que" asks nothing, and they make no question longer); "qu'est-ce que" (what) stays whole."""
    written = f" {_WORDS_AS_WRITTEN.sub(' ', fold(text).replace(chr(0x2019), chr(39)))} "
    for frame in YES_NO_FRAMES:
        written = written.replace(f" {frame} ", " ")
    return written.strip()


def owned(text: str, language: str) -> frozenset[str]:
    """The words of a text that name the guest's own things: up to `OWNED_REACH` words after a possessive, in its
    language or English ("plug my laptop into": the laptop is theirs, not a thing asked about)."""
    mine = POSSESSIVES.get(language, frozenset()) | POSSESSIVES["en"]
    every = words_of(text)
    return frozenset(w for i, w in enumerate(every) if any(p in mine for p in every[max(0, i - OWNED_REACH) : i]))
