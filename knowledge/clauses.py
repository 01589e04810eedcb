"""Clauses: a sentence without a question mark often asks two things, or tells a circumstance and then asks.

"what's the wifi password is there parking nearby" asks two questions; "our train gets in at 11, what time is check
in" tells how the guest arrives and asks one. A sentence is cut at commas, and before a word that starts a question
(`starts` of `knowledge/data/question_starts.yaml`, never a `not_starts` phrase such as "hay que") when two or more
words of a question, or of a condition ("si nuestro tren sale a las 6 podemos …": `conditions`), come before it.
A clause that starts with such a word, or holds a request word ("wifi password please"), is a question; the other
clauses are circumstances.
Japanese and Chinese sentences are cut at spaces, and a clause holding one of the words is a question.
`knowledge/questions.py` uses the clauses only when they settle what an ambiguous sentence asks.
"""

import re
from collections.abc import Mapping
from dataclasses import replace
from functools import cache

from concierge.core.text import fold
from knowledge.grounding import GROUNDED_TOPICS
from knowledge.index import CJK, STOPWORDS, Index, words_of
from knowledge.lexicon import DATA, GENERIC_KEYWORDS, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_file, language_words, load_yaml_data, mapping
from knowledge.mentions import OPEN_WORDS, PLACE_WORDS
from knowledge.retrieval import Candidate, rank_message

_PATH = DATA / "question_starts.yaml"
# Words a clause needs before a question word cuts it: "where can we …" is one question, not "where" and "can we …".
BEFORE = 2
# A clause is a question when one of its first words starts one ("ciao a che ora …", "hello what time …").
LEAD = 3
_COMMA = re.compile(r"[,，、]")
_CJK_SPACE = re.compile(r"(?<=[\u3040-\u30ff\u4e00-\u9fff])\s+(?=[\u3040-\u30ff\u4e00-\u9fff])")
_TOKEN = re.compile(r"\w+(?:[-']\w+)*", re.UNICODE)
PREFIX = 5  # shared start of two words that makes them one ("kitchen" / "kitchens")


def _load() -> tuple[dict[str, tuple[str, ...]], ...]:
    node = mapping(_PATH, load_yaml_data(_PATH), ["starts", "not_starts", "conditions", "requests", "ends"], "section")
    starts = language_words(_PATH, node["starts"], SUPPORTED_LANGUAGES)
    not_starts = language_words(_PATH, node["not_starts"], SUPPORTED_LANGUAGES, required=False)
    conditions = language_words(_PATH, node["conditions"], SUPPORTED_LANGUAGES, required=False)
    requests = language_words(_PATH, node["requests"], SUPPORTED_LANGUAGES)
    ends = language_words(_PATH, node["ends"], SUPPORTED_LANGUAGES, required=False)
    return starts, not_starts, conditions, requests, ends


STARTS, NOT_STARTS, CONDITIONS, REQUESTS, ENDS = _load()
LOCATION_NOUNS = language_file(DATA / "location_nouns.yaml", ("ja", "zh"))
# "the telly works fine but what's …": a question word right after one of these starts the question (contrasts.yaml)
CONTRASTS = {
    lang: frozenset(map(fold, found))
    for lang, found in language_file(DATA / "contrasts.yaml", SUPPORTED_LANGUAGES).items()
}
# An unmarked Japanese or Chinese piece longer than this tells a story around its question ("我们下周三的航班到 …
# 大概要多少钱"): its words are not all asked, and it stays as the guest wrote it.
SHORT_UNMARKED = 16
_TRAILING = re.compile(r"[\W_]+$", re.UNICODE)  # "…吗～", "ありますか…": the marks after the last word


@cache
def _phrases(language: str) -> tuple[frozenset[tuple[str, ...]], frozenset[tuple[str, ...]]]:
    """The question starts and the request words of `language` and English, each as a tuple of words."""
    languages = dict.fromkeys((language, "en"))

    def split(found: dict[str, tuple[str, ...]]) -> frozenset[tuple[str, ...]]:
        return frozenset(tuple(_TOKEN.findall(w.lower())) for lang in languages for w in found.get(lang, ()))

    return split(STARTS), split(REQUESTS)


@cache
def _never(language: str) -> frozenset[tuple[str, ...]]:
    """Phrases that begin with a question start but ask nothing ("hay que …": one has to)."""
    return frozenset(tuple(_TOKEN.findall(w.lower())) for w in NOT_STARTS.get(language, ()))


def _at(words: list[str], i: int, phrases: frozenset[tuple[str, ...]]) -> bool:
    return any(tuple(words[i : i + len(p)]) == p for p in phrases)


def _starts_at(words: list[str], i: int, language: str) -> bool:
    """Whether a question starts at `words[i]`: a start, and not one of the phrases that only begin like one."""
    return _at(words, i, _phrases(language)[0]) and not _at(words, i, _never(language))


def _asks(words: list[str], first: int, end: int, language: str) -> bool:
    """Whether the clause `words[first:end]` starts with a question word (within its first words) or holds a request."""
    requests = _phrases(language)[1]
    return any(_starts_at(words, i, language) for i in range(first, min(first + LEAD, end))) or any(
        _at(words, i, requests) for i in range(first, end)
    )


def clauses(text: str, language: str) -> list[tuple[str, bool]]:
    """The clauses of a sentence, each with whether it asks a question; one clause when nothing cuts it."""
    if CJK.search(text):
        return _cjk_clauses(text, language)
    found: list[tuple[str, bool]] = []
    for chunk in _COMMA.split(text):
        lowered = chunk.lower().replace("’", "'")
        matches = list(_TOKEN.finditer(lowered))
        words = [m.group() for m in matches]
        cuts = [0]
        for i in range(len(words)):
            # Only a question, or a condition ("si nuestro tren sale a las 6 podemos …"), is cut before the next
            # question: "en la piscina hay toallas" asks one thing.
            if (
                i - cuts[-1] >= BEFORE
                and _starts_at(words, i, language)
                and (
                    _asks(words, cuts[-1], i, language)
                    or words[cuts[-1]] in CONDITIONS.get(language, ())
                    or fold(words[i - 1]) in CONTRASTS.get(language, ())
                )
            ):
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


PLACES: dict[str, frozenset[str]] = {
    language: frozenset(fold(w) for w in found)
    for language, found in language_file(DATA / "place_words.yaml", SUPPORTED_LANGUAGES).items()
}
# "toallas para la playa", "sombrilla pa la playa": what a thing is for is named like where it is (knowledge/coverage.py
# reads the same words).
PURPOSES: dict[str, frozenset[str]] = {
    language: frozenset(fold(w) for w in found)
    for language, found in language_file(DATA / "purpose_words.yaml", SUPPORTED_LANGUAGES).items()
}


def ends_asking(text: str, language: str) -> bool:
    """Whether a Japanese or Chinese piece ends as a question does without its mark ("厨房有电饭煲吗",
    "柔軟剤は置いてありますか", "另外垃圾要扔到哪里"): the sentence-final particle or question word of `ends`."""
    bare = _TRAILING.sub("", text.strip())
    short = 0 < len(bare) <= SHORT_UNMARKED and bool(CJK.search(bare))
    return short and any(bare.endswith(e) for e in ENDS.get(language, ()))


def cut_asked(sentence: str, language: str) -> list[str]:
    """A Japanese or Chinese sentence without marks cut after each space-separated piece that ends as a question
    (`ends_asking`): "附近有超市吗 想买点菜自己做饭" asks about the supermarket, and the cooking tells why."""
    if language not in ENDS:
        return [sentence]
    found, current = [], []
    for chunk in _CJK_SPACE.split(sentence):
        current.append(chunk)
        if ends_asking(chunk, language):
            found.append(" ".join(current))
            current = []
    return found + [" ".join(current)] if current else found


def placed(text: str, language: str, prepositions: Mapping[str, frozenset[str]] | None = None) -> frozenset[str]:
    """The words of a text that only say where ("in the kitchen", "an den Strand", "dans la cuisine"): right after a
    preposition of place of `language` (or of `prepositions`, such as "for"), or after one and a function word."""
    words = words_of(text)
    places = (PLACES if prepositions is None else prepositions).get(language, frozenset())
    return frozenset(
        w
        for j, w in enumerate(words)
        if w not in STOPWORDS
        and ((j >= 1 and words[j - 1] in places) or (j >= 2 and words[j - 2] in places and words[j - 1] in STOPWORDS))
    )


def places_aside(candidates: list[Candidate], text: str, language: str, *, margin: float) -> list[Candidate]:
    """Between close topics, one named only as the place of a thing named before it ("is there a washing machine in
    the kitchen?", "darf der Hund mit an den Strand?") steps behind it: the question is about the thing, not about
    where it is; nor does a listing topic's place named as what the thing is for ("toallas para la playa?": beach
    towels, no tips about the beach; "für Hunde" names the dog asked about). A place named first is the guest's
    circumstance or the subject ("am Pool Musik?", "en el portal con las maletas"): unchanged."""
    places, purposes = placed(text, language), placed(text, language, PURPOSES)
    if not (places or purposes) or len(candidates) < 2:
        return candidates
    words = words_of(text)

    def found(candidate: Candidate) -> list[int]:
        named = [w for w in words_of(candidate.matched) if w not in STOPWORDS]
        if not named or CJK.search(candidate.matched):
            return []
        head = named[-1]  # "washing machine", "dejar el piso": the last word names the thing
        return [i for i, w in enumerate(words) if w == head or (len(head) >= PREFIX and w[:PREFIX] == head[:PREFIX])]

    def where(candidate: Candidate) -> bool:
        at = found(candidate)
        spots = places | purposes if candidate.topic in GROUNDED_TOPICS else places
        return bool(at) and all(words[i] in spots for i in at)

    things = [c for c in candidates if c.source == "lexicon" and found(c) and not where(c)]
    if not things:
        return candidates
    thing, first = things[0], min(found(things[0]))
    behind = round(thing.score - margin - 0.01, 3)
    moved = [
        replace(c, score=min(c.score, behind))
        if c.score >= thing.score - margin and where(c) and min(found(c)) > first
        else c
        for c in candidates
    ]
    return sorted(moved, key=lambda c: -c.score)


GENERIC = frozenset(fold(w) for w in GENERIC_KEYWORDS)


def where_only(index: Index, candidates: list[Candidate], text: str, language: str, *, floor: float) -> list[Candidate]:
    """A topic named only by the word of a place, said as where something is done ("¿aparcamos en la calle?", "na
    rua", "on the street"), is not what is asked: it drops below `floor` (a person answers, never the address).
    "¿en qué calle está?" asks which street: a question word right before the place keeps it, and so does another word
    of the text naming the topic ("en el portal, cuál era el código?": the code). In Japanese and Chinese a noun of
    location (`location_nouns.yaml`: 場所, 位置) beside another topic's word says where that thing is."""
    nouns = LOCATION_NOUNS.get(language, ())
    if nouns and CJK.search(text):  # "ゴミ捨て場の場所を教えて": where the bins are, not the address
        others = [c for c in candidates if c.score >= floor and c.matched not in nouns]
        moved = [
            replace(c, score=min(c.score, round(floor / 2, 3))) if c.matched in nouns and others else c
            for c in candidates
        ]
        return sorted(moved, key=lambda c: -c.score)
    places = placed(text, language)
    if not places:
        return candidates
    words = words_of(text)

    def where(candidate: Candidate) -> bool:
        named = [w for w in words_of(fold(candidate.matched)) if w not in STOPWORDS]
        if len(named) != 1 or named[0] not in PLACE_WORDS or named[0] not in places:
            return False
        if any(w == named[0] and i and words[i - 1] in OPEN_WORDS for i, w in enumerate(words)):
            return False
        rest = " ".join(w for w in words if w != named[0])
        return not any(
            c.topic == candidate.topic and c.score >= floor for c in rank_message(index, rest, language=language)
        )

    moved = [replace(c, score=min(c.score, round(floor / 2, 3))) if where(c) else c for c in candidates]
    return sorted(moved, key=lambda c: -c.score)


def subject_of_rules(winner: Candidate, candidates: list[Candidate], *, floor: float) -> Candidate:
    """The topic whose rules a question asks for: "what are the rules for dogs?", "bierzemy psa, jakie są zasady?" ask
    for the pets' rules, not the house rules. A winner named only by a word for rules yields to the one other topic
    the message names through a word of its own (`candidates`: the whole message's); else it stays."""
    if winner.matched not in GENERIC:
        return winner
    subjects = [c for c in candidates if c.topic != winner.topic and c.source == "lexicon" and c.score >= floor]
    return subjects[0] if len(subjects) == 1 else winner


def rules_aside(candidates: list[Candidate], *, floor: float, margin: float) -> list[Candidate]:
    """A topic named only by a word for rules steps behind another topic the text names through a word of its own,
    so that the subject is answered ("the rules for dogs": pets)."""
    subjects = [c for c in candidates if c.matched not in GENERIC and c.source == "lexicon" and c.score >= floor]
    if not subjects or not any(c.matched in GENERIC for c in candidates):
        return candidates
    behind = round(subjects[0].score - margin - 0.01, 3)
    moved = [replace(c, score=min(c.score, behind)) if c.matched in GENERIC else c for c in candidates]
    return sorted(moved, key=lambda c: -c.score)
