"""The options a question offers ("covered or open air?", "¿tarjeta o efectivo?") against what its entry gives
(knowledge/coverage.py): the entry that gives none of them does not say which, and a person answers.

- "does the hot tub have jets or is it just warm water?", "il mercato vende anche pesce o solo frutta?": an
  alternative restricted by "just", "only", "solo" (`knowledge/data/restrictives.yaml`) is what the guest already
  knows; what is asked is the first half, and a word of it the entry does not give is the detail asked.
"""

import re
from collections.abc import Iterable, Sequence

from knowledge.details import restricts
from knowledge.index import STOPWORDS, Index, language_patterns, words_of
from knowledge.lexicon import DATA
from knowledge.mentions import OPEN_WORDS, content_words, mentions, mentions_place, present, short_words
from knowledge.retrieval import rank_message

# "is there a hairdryer or should I pack mine?": the words after "or" say what the guest will do otherwise.
ALTERNATIVES = language_patterns(DATA / "alternatives.yaml")
# A question offering a choice, longer than this, tells a story: "… or should we buy some?" is not a choice of things.
CHOICE_QUESTION = 16


def topic_words(index: Index, topic: str) -> frozenset[str]:
    """Every word of the topic's terms: "praia" is the amenities' word in "toalha de praia", not only the beach's."""
    return frozenset(w for term in index.terms if term.topic == topic for w in term.words)


def _given(index: Index, word: str, chosen: Sequence[str], language: str) -> bool:
    """Whether a chosen entry gives `word`: a word of its topic, or one its text mentions (a place in any language).
    In a language no chosen entry is written in, a word the knowledge base knows may be there under another name."""
    if any(word in topic_words(index, t) or mentions(index.texts[t], word, language) for t in chosen):
        return True
    if any(mentions_place(index.texts[t], word) for t in chosen):
        return True
    written = any(language in index.written_in.get(t, ()) for t in chosen)
    return not written and bool(rank_message(index, word, language=language))


def neither_given(index: Index, text: str, topics: Iterable[str], *, language: str) -> list[str]:
    """In a question offering a choice ("covered or open air?", "contactless or cash?", "¿tarjeta o efectivo?"): the
    options (the content word right before the word offering it and those after) when the chosen entries give none
    of them. The entry that says neither does not say which: a person answers. Empty when one is given."""
    chosen = [t for t in topics if t in index.texts]
    alternative = ALTERNATIVES.get(language)
    # Split as written: a folded "où" (where) would read as "ou" (or).
    halves = alternative.split(text.lower(), maxsplit=1) if alternative and chosen else []
    if len(halves) < 2:
        return []
    if len(words_of(text)) <= CHOICE_QUESTION and restricts(halves[1], language):
        # "o meu marido fuma, pode fumar lá dentro ou só …": the last clause asks, the husband is circumstance
        last = re.split(r"[,，、;:]", halves[0])[-1]
        asked = content_words(last, language=language) + short_words(last)
        return [w for w in asked if not _given(index, w, chosen, language)]
    first = [w for w in words_of(halves[0]) if w not in STOPWORDS][-1:]
    asking = {part for phrase in present(halves[0], OPEN_WORDS) or () for part in phrase.split()}  # "quelque part"
    if (
        len(words_of(text)) > CHOICE_QUESTION
        or not first
        or first[0] not in content_words(halves[0], language=language)
    ):
        return []  # a story, or "più o meno", "more or less": no thing is offered
    if first[0] in asking:
        return []
    options = first + content_words(halves[1], language=language)  # "… bien ou plutôt taxi ?": the taxi is offered
    return [] if any(_given(index, w, chosen, language) for w in options) else options
