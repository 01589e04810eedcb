"""Grounding: a topic that lists places answers only when its entry names what the guest asked about.

The local tips list restaurants, the beach, a market: "a supermarket open on Sundays?" or "a gym nearby?" gets that
list only if the entry names something the guest wrote, or the guest asked for recommendations in general ("any good
restaurants?"). What the entry names is told in two ways: the same word in its text (same language), or, when the
guest asks what is nearby, the same thing of `knowledge/data/things.yaml` in any language, so an entry written in
English and Spanish still grounds a Dutch "is er een strand in de buurt?" (the beach) or "c'è un mercato qui vicino?".
A thing named as the place of something else ("cours de surf sur la plage", "serviettes de plage") grounds nothing.
"""

from dataclasses import replace

from concierge.core.text import fold
from knowledge.index import CJK, COMMON, STOPWORDS, Index, words_of
from knowledge.lexicon import RECOMMENDATION_WORDS
from knowledge.retrieval import Candidate
from knowledge.things import things_named

GROUNDED_TOPICS = frozenset({"local_tips"})
RECOMMENDATIONS = frozenset(fold(w) for w in RECOMMENDATION_WORDS)


def grounded(
    index: Index, candidate: Candidate, message: str, *, nearby: bool = False, language: str | None = None
) -> bool:
    """Whether a listing topic names what the guest asked about (a shared word, or a thing in another language when the
    guest asks what is nearby: "附近有海滩吗？", or asks in a language the entry is not written in: "周六镇上有集市吗"
    and the tips' "a market in the centre") or the guest asked for a recommendation in general ("any good
    restaurants?"); "a supermarket open on Sundays" is neither, and "surf lessons on the beach" names no beach asked
    for."""
    if candidate.topic not in GROUNDED_TOPICS or candidate.source in ("content", "title"):
        return True
    folded = fold(message)
    if any(CJK.search(w) and w in folded for w in RECOMMENDATIONS):
        return True
    asked = [w for w in words_of(message) if w not in STOPWORDS]
    if any(w.startswith(r) if len(r) >= 4 else w == r for w in asked for r in RECOMMENDATIONS):
        return True
    named = [w for w in asked if w not in COMMON]
    text = index.texts.get(candidate.topic, "")
    text_words = set(words_of(text))
    if any(w in text_words or (len(w) >= 5 and any(t.startswith(w[:5]) for t in text_words)) for w in named):
        return True
    foreign = language is not None and language not in index.written_in.get(candidate.topic, frozenset())
    return (nearby or foreign) and bool(things_named(message) & things_named(text))


def thing_decides(index: Index, candidates: list[Candidate], message: str, *, margin: float) -> list[Candidate]:
    """Between topics named equally by the same word of the guest's ("bicicleta": the bike shed and the public
    transport), the one whose entry names the thing the message names (`knowledge/data/things.yaml`, in any of its
    languages) answers, when only one does; the others step behind it. Unchanged otherwise: both entries or neither
    name it, or the topics are named by different words ("the key of the pool": we ask which)."""
    if len(candidates) < 2 or candidates[0].source != "lexicon":
        return candidates
    top = candidates[0]
    close = [c for c in candidates if c.source == "lexicon" and c.score >= top.score - margin]
    if any(c.matched != top.matched for c in close):  # two words, two subjects ("the key of the pool"): we ask
        return candidates
    asked = things_named(message) if len(close) > 1 else frozenset()
    naming = [c for c in close if asked & things_named(index.texts.get(c.topic, ""))]
    if len(naming) != 1:
        return candidates
    behind = round(naming[0].score - margin - 0.01, 3)
    moved = [replace(c, score=min(c.score, behind)) if c in close and c != naming[0] else c for c in candidates]
    return sorted(moved, key=lambda c: -c.score)


def place_of_unknown(
    index: Index,
    candidates: list[Candidate],
    text: str,
    places: frozenset[str],
    prepositions: frozenset[str],
    *,
    floor: float,
) -> list[Candidate]:
    """A listing topic named only as where something nothing knows is ("any good surf schools near the beach?", "rent a
    surfboard and wetsuits near the beach"; `places`: the words of `text` that only say where, after one of its
    `prepositions`) drops below `floor`:
    the tips name the beach, not the surf school, so a person answers. "a good restaurant near the beach?" names a
    thing the knowledge base knows: unchanged."""
    words = words_of(text)

    def unknown_before(candidate: Candidate) -> bool:
        named = [w for w in words_of(candidate.matched) if w not in STOPWORDS]
        at = [i for i, w in enumerate(words) if w in named]
        if not named or not at or any(words[i] not in places for i in at):
            return False
        own = set(words_of(index.texts.get(candidate.topic, "")))
        return any(
            len(w) >= 3
            and w.isalpha()
            and w not in STOPWORDS
            and w not in COMMON
            and w not in index.known
            and w not in own
            and w not in prepositions
            for w in words[: min(at)]
        )

    return [
        replace(c, score=min(c.score, floor / 2))
        if c.topic in GROUNDED_TOPICS and c.source == "lexicon" and unknown_before(c)
        else c
        for c in candidates
    ]
