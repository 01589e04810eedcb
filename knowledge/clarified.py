"""Answers to our own clarifying question: "is your question about the pool or the beach?" → "the pool".

When the offline responder asked which of a few topics the guest meant (the turn's `clarify`), the guest's next short
message is read against the topics offered, in their order: it picks a topic by naming it (any word that ranks it:
"la piscine", "プール", "yes, the luggage one"), by its place ("the first one", "die zweite", "la première": ordinals
of `knowledge/data/choices.yaml`) or all of them ("both", "les deux"). A message that names another subject more
strongly than an offered one is a new question, and a longer message is read as any other.

The same goes for what came before our last reply: a message nothing answers (or only a word of an entry's text)
that continues an earlier topic is answered with it, when its entry holds what it asks (`follow_ups.earlier_topic`):
the topic just answered, or the one topic our last reply's retrieval ranked for the guest's previous message, even
when that message went to a person or was asked about.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from concierge.core.text import fold
from knowledge import follow_ups, moments, narration, questions
from knowledge.choice import THIN
from knowledge.cjk import simplified
from knowledge.coverage import closed_question, uncovered
from knowledge.index import CJK, Index, phrase_pattern, words_of
from knowledge.lexicon import DATA, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_words, load_yaml_data, mapping
from knowledge.retrieval import CLARIFY_FLOOR, Candidate, rank_message

ANSWER_WORDS_MOST = 6  # "yes sorry, the one about the luggage"
ANSWER_CJK_MOST = 12  # characters of a Japanese or Chinese answer ("プールのほうです")
# Where each choice word points in the topics offered: the first, the second, the last one; None: all of them.
PLACES: dict[str, int | None] = {"first": 0, "second": 1, "last": -1, "all": None}
_CHOICES_PATH = DATA / "choices.yaml"


def _load_choices() -> dict[str, dict[str, re.Pattern[str] | None]]:
    """Each choice (first, second, last, all) as one pattern per language."""
    node = mapping(_CHOICES_PATH, load_yaml_data(_CHOICES_PATH), list(PLACES), "choice")
    return {
        choice: {
            language: phrase_pattern(found)
            for language, found in language_words(_CHOICES_PATH, by, SUPPORTED_LANGUAGES).items()
        }
        for choice, by in node.items()
    }


CHOICES = _load_choices()


@dataclass(frozen=True)
class Pick:
    """What a reply to our question picks: the offered topics, and the message's ranking (for the trace)."""

    topics: list[str]
    ranked: list[Candidate]


def _chosen(message: str, offered: Sequence[str], language: str) -> list[str]:
    """The offered topics an ordinal or "both" of the message's language or English points at."""
    folded = fold(message)
    for choice, place in PLACES.items():
        patterns = CHOICES[choice]
        if not any(
            (p := patterns.get(lang)) is not None and p.search(folded) for lang in dict.fromkeys((language, "en"))
        ):
            continue
        if place is None:
            return list(offered)
        if -len(offered) <= place < len(offered):
            return [offered[place]]
    return []


def pick(index: Index, message: str, offered: Sequence[str], *, language: str) -> Pick:
    """The offered topics a short reply to our clarifying question picks (none: read it as any other message)."""
    offered = [t for t in offered if t in index.texts]  # a topic the owner removed since is no longer offered
    size = len(re.sub(r"\W", "", message)) if CJK.search(message) else len(words_of(message))
    if not offered or size > (ANSWER_CJK_MOST if CJK.search(message) else ANSWER_WORDS_MOST):
        return Pick([], [])
    ranked = rank_message(index, message, language=language)
    named = [c for c in ranked if c.topic in offered]
    best = named[0].score if named else 0.0
    # "never mind, the wifi?": another subject, a new question. A word only an entry's text uses ("seconds" in the
    # Wi-Fi entry, "first-aid") names no subject: "the second one" is a place in our question.
    others = [c for c in ranked if c.topic not in offered and c.source not in THIN]
    if any(c.score >= max(CLARIFY_FLOOR, best + 0.01) for c in others):
        return Pick([], ranked)
    chosen = _chosen(message, offered, language)
    if chosen and (len(chosen) > 1 or not named):  # "both", or only a place: "the second one"
        return Pick(chosen, ranked)
    return Pick([c.topic for c in named], ranked)


def _tied(
    message: str, previous: Sequence[str], considered: Sequence[tuple[str, float]], threshold: float, language: str
) -> list[str]:
    """The two topics the guest's previous message ranked above the threshold, one of them answered, when a short
    message asks for both ("les deux", "both"): the other one was only read as a moment ("after check-out")."""
    tied = list(dict.fromkeys(topic for topic, score in considered if score >= threshold))
    size = len(re.sub(r"\W", "", message)) if CJK.search(message) else len(words_of(message))
    if len(tied) != 2 or not previous or previous[0] not in tied or size > ANSWER_WORDS_MOST:
        return []
    return tied if _chosen(message, tied, language) == tied else []


def _asks_elsewhere(index: Index, message: str, language: str) -> bool:
    """Whether the question's last clause names no topic but something nothing in the knowledge base knows: what the
    clauses before it name is when or where, not what is asked ("before we go to the beach, is there a pharmacy?")."""
    _head, comma, asked = message.rstrip(" ?？").rpartition(",")
    if not comma or not re.search(r"[?？]", message):
        return False
    return not rank_message(index, asked, language=language) and narration.unknown_subject(index, asked)


def _offered_cannot_say(index: Index, message: str, offered: Sequence[Candidate], language: str) -> bool:
    """Whether a short closed question names something that nothing in the knowledge base knows and that no topic we
    would ask about mentions ("czy na plaży Las Arenas są ratownicy?": lifeguards, beside the tips' beach): whichever
    the guest picks, its entry does not say; a person answers instead of a question back."""
    topics = [c.topic for c in offered]
    asked = [q for q in re.findall(r"[^?？!！.。]*[?？]", message) if closed_question(q, True, language)]
    return bool(topics) and any(uncovered(index, q, topics, language=language, closed=True) for q in asked)


def decide(
    index: Index,
    message: str,
    *,
    language: str,
    threshold: float,
    previous: Sequence[str] = (),
    offered: Sequence[str] = (),
    considered: Sequence[tuple[str, float]] = (),
) -> questions.Decision:
    """`questions.decide`, except that a reply to our clarifying question answers with the topics it picks, and a
    message nothing answers that asks what an earlier topic holds is answered with it: `considered` are the topics the
    last reply's retrieval ranked for the guest's previous message, which a follow-up may be about even when that
    reply did not answer with them ("are the quiet hours strict?" → a person; "from what time?" → the quiet hours)."""
    message = simplified(message, language)  # "請問哪裡可以停車" is matched as "请问哪里可以停车"
    if not offered:  # "les deux" after the bags were answered beside "after check-out": the two topics it ranked
        offered = _tied(message, previous, considered, threshold, language)
    found = pick(index, message, offered, language=language) if offered else Pick([], [])
    if found.topics:
        selected = [Candidate(topic, 0.75, matched="(clarified)", source="context") for topic in found.topics]
        return questions.Decision(found.ranked, selected)
    decision = questions.decide(index, message, language=language, threshold=threshold, previous=previous)
    if not decision.selected and _offered_cannot_say(index, message, decision.clarify, language):
        return replace(decision, clarify=[], open_questions=max(decision.open_questions, 1))
    asked = moments.subject(decision.clarify, message, language)  # "the bags after check-out": the bags are asked
    if asked is not None and not decision.selected:
        if _asks_elsewhere(index, message, language):  # "before we go to the beach, is there a pharmacy on duty?"
            return replace(decision, clarify=[], open_questions=max(decision.open_questions, 1))
        return replace(decision, selected=[asked], clarify=[])
    if decision.selected or any(c.source not in THIN for c in decision.clarify):
        return decision  # a word only an entry's text uses ("ferme" in "fermez") is no subject of its own
    ranked = [topic for topic, score in considered if score >= CLARIFY_FLOOR]
    topic = follow_ups.earlier_topic(index, message, previous, ranked, language)
    if topic is None:
        return decision
    return replace(decision, selected=[follow_ups.in_context(topic)], clarify=[], open_questions=0)
