"""Questions about a topic the property has no entry for: a person answers, not the entry of a word beside it.

The index of a property holds only the topics it has entries for. A flat with no parking entry still gets "tenéis
garaje o aparcamos en la calle?"; without the parking words, the street ("calle") is all the index sees, and the
address entry would be quoted with confidence. So each part of a message is also ranked against the curated lexicon
of every topic (one index built once from the lexicon data, no entry text): when a topic the property lacks is named
at least as strongly as the property's best topic, by other words, the part asks about the missing one, and the
property's topics step back below the clarifying floor (knowledge/questions.py): the question is left open for a person.

A missing rule topic is often written inside another rule entry: a house with no quiet-hours entry says "keep quiet
after 22:00" in its house rules. When a rule entry of the property uses the missing topic's own words in its text,
it stands in for that topic ("a che ora bisogna fare silenzio?" quotes the house rules) instead of stepping back.
"""

import re
from dataclasses import replace
from functools import cache

from knowledge.index import Index, build_index, phrase_pattern
from knowledge.lexicon import KEYWORDS, TOPICS
from knowledge.policy import RULE_TOPICS
from knowledge.retrieval import CLARIFY_FLOOR, Candidate, rank_message

# A topic of the property stays only when it is named this much more strongly than the missing topic.
MARGIN = 0.1


@cache
def lexicon_index() -> Index:
    """Every curated topic's words, as if a property had an entry for each (built once per process)."""
    return build_index([{"topic": topic, "title": "", "content": {}} for topic in TOPICS])


def missing_topic(index: Index, text: str, language: str) -> Candidate | None:
    """The best-named curated topic of `text` that the property has no entry for, when its own words name it."""
    if all(topic in index.texts for topic in TOPICS):
        return None
    ranked = rank_message(lexicon_index(), text, language=language)
    return next((c for c in ranked if c.topic not in index.texts and c.source == "lexicon"), None)


def step_back(index: Index, candidates: list[Candidate], text: str, language: str) -> list[Candidate]:
    """The candidates, with the property's topics below the floor when a topic it lacks is what `text` names."""
    missing = missing_topic(index, text, language) if len(index.texts) else None
    if missing is None or missing.score < CLARIFY_FLOOR:
        return candidates
    stand_in = _stand_in(index, missing.topic)
    if stand_in is not None:
        rest = [c for c in candidates if c.topic != stand_in]
        own = next((c for c in candidates if c.topic == stand_in), None)
        score = max(missing.score, own.score if own else 0.0)
        return [replace(missing, topic=stand_in, score=score), *rest]
    if not candidates:
        return candidates
    return [
        c
        if c.score >= missing.score + MARGIN or _same_words(c.matched, missing.matched)
        else replace(c, score=min(c.score, CLARIFY_FLOOR / 2))
        for c in candidates
    ]


def _same_words(matched: str, missing: str) -> bool:
    """Whether the property's topic was named by the missing topic's own words ("whirlpool": a hot tub, no pool)."""
    return matched in missing or missing in matched


@cache
def _words_of(topic: str) -> re.Pattern[str] | None:
    """The curated words of `topic` in every language, as one pattern."""
    return phrase_pattern(word for found in KEYWORDS[topic].values() for word in found)


def _stand_in(index: Index, missing: str) -> str | None:
    """The property's rule entry whose own text uses the words of the missing rule topic `missing` (quiet hours
    written in the house rules), or None."""
    pattern = _words_of(missing) if missing in RULE_TOPICS else None
    if pattern is None:
        return None
    return next((t for t in sorted(RULE_TOPICS) if t in index.texts and pattern.search(index.texts[t])), None)
