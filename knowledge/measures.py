"""Figures a question asks for that its entry does not give: "how fast is the wifi?" is not answered by the network
name and the password.

A narrow, high-precision signal that a sure topic is still the wrong answer: the question asks for a figure of a
kind (a speed, a depth, a size, an age, a temperature, a weight, a price, a distance, or the hours or days something
runs: `knowledge/data/measures.yaml`, asked with narrow words such as "how fast", "wie tief" or "on Sundays") and none
of the entries chosen for it holds a figure of that kind. The entry is about the right thing but cannot contain the
answer; a person answers instead. A look-alike the entry answers ("how much is the parking?" where it says 14 € per 24
hours) keeps its answer.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from concierge.core.text import fold
from knowledge.index import COMMON, STOPWORDS, Index, Phrases, detail_kinds, language_patterns, words_of
from knowledge.lexicon import DATA, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_file, load_yaml_data, words
from knowledge.retrieval import Candidate

_PATH = DATA / "measures.yaml"
KINDS = ("speed", "depth", "size", "age", "temperature", "weight", "price", "distance", "hours", "brand", "payment")

_SENTENCE = re.compile(r"[.!?;。！？；]+(?:\s+|$)")  # on folded texts: "250 mbit/s" keeps its figure whole


def _load() -> tuple[dict[str, Phrases], dict[str, re.Pattern[str]]]:
    """Each kind's questions per language, and how an entry's folded text shows a figure of that kind."""
    return detail_kinds(_PATH, load_yaml_data(_PATH), KINDS)


ASKS, HOLDS = _load()
# "is the hot tub warm yet?": a word asking how warm, which an entry giving a temperature answers.
WARMTH = frozenset(
    fold(w) for found in language_file(DATA / "warmth.yaml", SUPPORTED_LANGUAGES).values() for w in found
)
# "where do we put the bikes at night?": a question asking where names a time as its circumstance, not as hours asked.
WHERE = language_patterns(DATA / "where_questions.yaml")


def measures_asked(text: str, language: str) -> list[str]:
    """The kinds of figure the text asks for, in its language or English ("wie tief ist der Pool?" → depth)."""
    folded = fold(text)
    languages = tuple(dict.fromkeys((language, "en")))
    where = any((p := WHERE.get(lang)) is not None and p.search(folded) for lang in languages)
    found = []
    for kind, by_language in ASKS.items():
        if kind == "hours" and where:
            continue
        if any((p := by_language.get(lang)) is not None and p.search(folded) for lang in languages):
            found.append(kind)
    return found


def unheld(text: str, entries: Iterable[str], language: str) -> list[str]:
    """The kinds of figure the text asks for that none of the (folded) entry texts holds."""
    texts = list(entries)
    return [kind for kind in measures_asked(text, language) if not any(HOLDS[kind].search(t) for t in texts)]


# A word of the question this long, in an entry's text, names a place of it ("kiosk", "carmela").
_NAMED = 4
_LISTS = DATA / "place_lists.yaml"
PLACE_LISTS = frozenset(words(_LISTS, load_yaml_data(_LISTS)))


def unplaced(index: Index, text: str, topics: Iterable[str], language: str) -> list[str]:
    """The kinds of figure the text asks for about a place it names in an entry listing places (`place_lists.yaml`),
    that no sentence naming that place holds: "what time does Casa Carmela close?" to tips whose only hours are the
    market's. A place named is a word of the question (4+ letters) in the entry's text that is not one of its topic's
    own words ("parking": the whole entry is about it); an entry the question names nothing of, or one about a single
    thing, is checked as a whole (`unheld`)."""
    chosen = [t for t in topics if t in index.texts]
    asked = {w for w in words_of(text) if len(w) >= _NAMED and w not in STOPWORDS and w not in COMMON}
    missing = []
    for kind in measures_asked(text, language):
        if not any(_placed(index, topic, asked, HOLDS[kind]) for topic in chosen):
            missing.append(kind)
    return missing


def _placed(index: Index, topic: str, asked: set[str], holds: re.Pattern[str]) -> bool:
    """Whether a sentence of the topic's entry holds the figure and names what the question names of it."""
    text = index.texts[topic]
    if topic not in PLACE_LISTS:
        return any(holds.search(s) for s in _SENTENCE.split(text))
    own = {w for term in index.terms if term.topic == topic and term.source != "content" for w in term.words}
    named = (asked & set(words_of(text))) - own
    sentences = [s for s in _SENTENCE.split(text) if holds.search(s)]
    return any(not named or named.intersection(words_of(s)) for s in sentences)


def stand_in(index: Index, topic: str, kinds: Iterable[str], message: str) -> str | None:
    """Another entry that gives the figure the topic's entry lacks, about the same thing: a sentence of it holds every
    kind asked and names the word of the topic the guest used ("how fast is the internet?": the Wi-Fi entry gives the
    network and the password, the desk entry says "the internet is fibre at 250 Mbit/s"). None unless exactly one
    entry does."""
    asked = [HOLDS[kind] for kind in kinds]
    used = set(words_of(message))
    own = {w for term in index.terms if term.topic == topic and term.source in ("lexicon", "title") for w in term.words}
    own &= used
    found = [
        other
        for other, text in index.texts.items()
        if other != topic
        and any(
            all(p.search(sentence) for p in asked) and own.intersection(words_of(sentence))
            for sentence in _SENTENCE.split(text)
        )
    ]
    return found[0] if len(found) == 1 else None


def stand_ins(
    index: Index, selected: Sequence[Candidate], kept: Sequence[Candidate], message: str, language: str
) -> tuple[list[Candidate], int]:
    """The kept topics, plus a stand-in for each topic dropped for a figure its entry lacks (`stand_in`), and how many
    topics are still dropped (each one a question left open, for a person)."""
    found = list(kept)
    for candidate in selected:
        kinds = unheld(message, [index.texts.get(candidate.topic, "")], language) if candidate not in kept else []
        other = stand_in(index, candidate.topic, kinds, message) if kinds else None
        if other is not None and other not in {c.topic for c in found}:
            found.append(replace(candidate, topic=other))
    return found, len(selected) - len(found)


def gives_warmth(word: str, entries: Iterable[str]) -> bool:
    """Whether `word` asks how warm something is and one of the (folded) entry texts gives a temperature: "la vasca è
    già calda?" is answered by "kept at 38 °C"; "is the pool heated?" is not by the pool's opening hours."""
    return word in WARMTH and any(HOLDS["temperature"].search(t) for t in entries)
