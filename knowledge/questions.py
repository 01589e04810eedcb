"""Precision first: split a message into its questions, and answer a question only when one topic clearly wins.

The retriever ranks topics for a whole message; a guest's message often holds several questions ("we land at
11pm, is that ok? and where do we leave the car") or words of several topics in one question ("beach towels":
the beach is a local tip, the towels what the flat provides). Each part of the message is ranked on its own:
- a part whose best topic is sure and clearly ahead of the next one is answered with that topic alone;
- a part where two topics are close is a question to ask back ("is it about X or Y?"), never a guess;
- a question nothing answers is left open, so the reply can say a person will answer it.
The conjunctions that join two questions are data (`knowledge/data/conjunctions.yaml`), per language.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from concierge.core.text import fold
from knowledge.absent import step_back
from knowledge.asking import QUESTION_END, QUESTIONS, lost_mark, parts, unmarked
from knowledge.choice import MARGIN, THIN, choose, clause_decides, said_more
from knowledge.clauses import PLACES, clauses, placed, places_aside, rules_aside, subject_of_rules, where_only
from knowledge.coverage import covered
from knowledge.details import asked_part
from knowledge.follow_ups import (
    continues,
    in_context,
    points_back,
    read_follow_up,
    refers_back,
)
from knowledge.grounding import grounded, place_of_unknown, thing_decides
from knowledge.index import CJK, Index, phrase_pattern, words_of
from knowledge.lexicon import NEARBY_WORDS
from knowledge.measures import stand_ins, unheld
from knowledge.narration import (
    arrival_aside,
    narrates,
    outside_question,
    said_by_one,
    scattered,
    secret_aside,
    tells_past,
    unknown_subject,
)
from knowledge.retrieval import CLARIFY_FLOOR, Candidate, rank_message
from knowledge.services import asks_service
from knowledge.shorthand import expand

# The most topics one message is answered with.
MOST = 3
# Entries about the house itself: they do not answer a question about something nearby ("a laundrette nearby?" is not
# about the flat's washing machine, "a fish shop in the village" not about its kitchen).
HOUSE_TOPICS = frozenset(
    {"laundry", "kitchen", "pool", "amenities", "heating_cooling", "wifi", "house_rules", "noise", "smoking", "pets"}
    | {"check_in", "check_out", "access", "refunds_policy"}
)


@dataclass(frozen=True)
class Decision:
    """Per message: the topics to answer with, the topics to ask about instead, and the questions left open."""

    candidates: list[Candidate]
    selected: list[Candidate]
    clarify: list[Candidate] = field(default_factory=list)
    open_questions: int = 0  # questions (ending in "?") that no topic answers
    asked: frozenset[str] = frozenset()  # selected topics that answer a part asked as a question ("also wifi?")


@cache
def _nearby(*languages: str) -> re.Pattern[str] | None:
    """The words that place a thing nearby (`NEARBY_WORDS`) in these languages; in every language without any."""
    chosen = dict.fromkeys(languages) if languages else NEARBY_WORDS
    return phrase_pattern(w for lang in chosen for w in NEARBY_WORDS.get(lang, ()))


def _asks_nearby(text: str, language: str) -> bool:
    """Whether the text asks about something nearby ("a laundrette nearby?"), in its language or English."""
    pattern = _nearby(language, "en")
    return pattern is not None and pattern.search(fold(text)) is not None


def _of_house(index: Index, topic: str) -> bool:
    """Whether a topic is about the house itself: a built-in one, or an owner's own (the bike shed, the hot tub) unless
    its entry speaks of somewhere nearby itself ("The nearest gym is FitBox, Calle Sol 5")."""
    if topic in HOUSE_TOPICS:
        return True
    nearby = _nearby()  # an entry may be written in any language
    return topic.startswith("custom:") and not (nearby and nearby.search(fold(index.texts.get(topic, ""))))


def _grounding(
    index: Index, candidates: list[Candidate], message: str, language: str, *, asking: str | None = None
) -> list[Candidate]:
    """Listing topics that do not name what the guest asked about drop below the floor, and so do entries about the
    house itself when the guest asks about something nearby: a person answers. A topic named only as where the thing
    asked about is ("… in the kitchen?") steps behind it."""
    elsewhere = _asks_nearby(message, language)
    # Asked in Chinese or Japanese, no word is ever shared with an entry in other scripts: a thing the tips name grounds
    # them when nothing else the message names competes ("周六镇上有集市吗"; not "夏天狗狗可以去海滩吗", the dog's).
    alone = bool(CJK.search(message)) and sum(c.score >= CLARIFY_FLOOR for c in candidates) == 1
    foreign = language if alone else None
    kept = [
        c
        if grounded(index, c, asking or message, nearby=elsewhere, language=foreign)
        and not (elsewhere and _of_house(index, c.topic))
        else replace(c, score=min(c.score, CLARIFY_FLOOR / 2))
        for c in candidates
    ]
    where = placed(message, language), PLACES.get(language, frozenset())
    kept = place_of_unknown(index, kept, message, *where, floor=CLARIFY_FLOOR)  # "surf schools near the beach?"
    kept = step_back(index, kept, message, language)  # "aparcamos en la calle?" where the flat has no parking entry
    kept = where_only(index, kept, message, language, floor=CLARIFY_FLOOR)  # "… o mejor en la calle?": not the address
    kept = thing_decides(index, sorted(kept, key=lambda c: -c.score), message, margin=MARGIN)  # "bicicleta"
    kept = places_aside(sorted(kept, key=lambda c: -c.score), message, language, margin=MARGIN)
    return rules_aside(kept, floor=CLARIFY_FLOOR, margin=MARGIN)


def _by_clause(
    index: Index, text: str, asked: bool, *, language: str, threshold: float, previous: Sequence[str]
) -> list[tuple[str, bool]] | None:
    """The clauses of a part from its first question on, when they settle what it asks and the part as a whole does
    not: "what's the wifi password is there parking nearby" (two close topics: each clause has its own), "our train
    gets in at 11, what time is check in" (the train is a circumstance). None when a clause is itself unsure."""
    found = clauses(text, language)
    first = next((i for i, (_clause, question) in enumerate(found) if question), None)
    if len(found) < 2 or first is None:
        return None
    # What comes before the first question is circumstance, and so is a clause after it that tells ("…from the
    # airport, we have 2 big suitcases": the suitcases are why, not a question about the luggage).
    asking = [clause for clause, question in found[first:] if question or not narrates(clause, language)]
    winners = []
    for clause in asking:
        ranked = _grounding(index, rank_message(index, clause, language=language), clause, language)
        winner, close = choose(ranked, threshold=threshold, previous=previous, back=refers_back(clause, language))
        if (winner is None and close) or (winner is not None and winner.source != "lexicon"):
            # An unsure clause, an arrival ("cómo llegamos") or a title word ("the flat"): the part decides as a whole.
            return None
        if winner is not None:
            winners.append(winner.topic)
    ranked = _grounding(index, rank_message(index, text, language=language), text, language)
    whole, _close = choose(ranked, threshold=threshold, previous=previous, back=refers_back(text, language))
    if not winners or (whole is not None and {whole.topic} == set(winners)):
        return None
    last = found[-1][0]
    return [(clause, asked and clause == last) for clause in asking]


def _questions(
    index: Index, message: str, *, language: str, threshold: float, previous: Sequence[str]
) -> tuple[list[tuple[str, bool]], bool]:
    """The message's parts, a part replaced by its question clauses where they settle it; and whether one was."""
    found: list[tuple[str, bool]] = []
    refined = False
    for text, asked in parts(message, language=language):
        by_clause = _by_clause(index, text, asked, language=language, threshold=threshold, previous=previous)
        refined = refined or by_clause is not None
        found += by_clause or [(text, asked)]
    return found, refined


def decide(index: Index, message: str, *, language: str, threshold: float, previous: Sequence[str] = ()) -> Decision:
    """Choose per part, precision first; then keep only the topics whose entry says what their question asks."""
    message = expand(message, language)  # "a q hora", "dnd": chat shorthand read as the words it stands for
    pieces, refined = _questions(index, message, language=language, threshold=threshold, previous=previous)
    pieces = unmarked(pieces, message, language)
    decision = _decide(index, message, pieces if len(pieces) > 1 or refined else [], language, threshold, previous)
    offered = [index.texts.get(c.topic, "") for c in decision.clarify]
    if offered and not decision.selected and unheld(message, offered, language):
        # "how warm is the pool water?": neither topic we would ask about gives a temperature; a person answers.
        return replace(decision, clarify=[], open_questions=max(decision.open_questions, 1))
    # The previous answer's topic skips the check, unless the message is a follow-up asking what its entry does not
    # hold: "is there a bike repair shop in the village?" after the bikes.
    held = [] if read_follow_up(index, message, previous, language) else previous[:1]
    if asks_service(message, language):  # "could you book us a table for 4?": a service a person performs
        return replace(decision, selected=[], clarify=[], open_questions=max(decision.open_questions, 1))
    kept, dropped = covered(index, decision.selected, message, pieces, language=language, previous=held)
    if not dropped and kept == decision.selected:
        return decision
    kept, dropped = stand_ins(index, decision.selected, kept, message, language)
    asked = frozenset(t for t in decision.asked if t in {c.topic for c in kept})
    return replace(decision, selected=kept, open_questions=decision.open_questions + dropped, asked=asked)


def _decide(
    index: Index,
    message: str,
    split: Sequence[tuple[str, bool]],
    language: str,
    threshold: float,
    previous: Sequence[str],
) -> Decision:
    """Rank the whole message (for the trace and a model's hints) and choose per part, precision first.

    `split`: the message's questions (none when it is one); `previous`: the topics of the conversation's last answer,
    best first, to resolve follow-ups against.
    """
    dictated = "?" not in message and not CJK.search(message)
    # "is there a supermarket open on sundays, we got nothing for breakfast": a listing topic names what is asked
    ranked_message = rank_message(index, message, language=language)
    candidates = _grounding(index, ranked_message, message, language, asking=asked_part(message, language))
    back = continues(index, message, candidates, previous, language)
    if back is not None:
        return Decision(candidates, [back], [], 0)
    selected: dict[str, Candidate] = {}
    clarify: dict[str, Candidate] = {}
    asked_topics: set[str] = set()
    open_questions = 0
    unknown_asked = False  # a question about a place nearby that the knowledge base does not know ("a gym nearby?")
    questions = {fold(q.strip()) for q in QUESTIONS.findall(message)}
    from_questions = False  # whether a topic was chosen from a sentence asked as a question
    unsure = False  # whether a question was left open or asked about so far
    named: set[str] = set()  # the topics the sentences asked as questions name
    close_asked = False  # whether a question named topics we would have to ask about
    after: set[str] = set()  # topics only sentences after an open question named ("a pram? ours won't fit the car")
    told: set[str] = set()  # topics only a sentence that asks nothing named ("we're driving down from Madrid.")
    named_open = False  # whether a question left open names a subject of its own (not "may he come too?")
    narrated: set[str] = set()  # topics only the guest's story named ("we just got back from the beach and …?")
    open_unknown = False  # a question left open about something nothing knows ("is there an elevator?")
    # Dictated messages carry no question mark: a piece that tells the past ("anoche llegamos tarde y …") is the story
    # of one that does not, whose topics alone are asked (`plain`).
    plain: set[str] = set()
    subjects: dict[str, list[str]] = {}  # the parts that made each topic their subject
    for text, asked in split:
        raw = rank_message(index, text, language=language)
        ranked = _grounding(index, raw, text, language, asking=asked_part(text, language) if dictated else None)
        winner, close = choose(ranked, threshold=threshold, previous=previous, back=refers_back(text, language))
        winner = winner and subject_of_rules(winner, candidates, floor=threshold)  # "we bring a dog. any rules?"
        named |= {c.topic for c in ranked if asked and c.score >= CLARIFY_FLOOR}
        if winner is None and asked:
            winner, close = clause_decides(index, text, close, threshold=threshold, language=language)
        if winner is not None:
            # "when we arrive" beside another question is a circumstance; "à quelle heure faut-il partir" asks.
            if winner.source == "context" and from_questions and not clauses(text, language)[0][1]:
                continue
            if winner.source == "context" and selected and outside_question(index, text, winner.topic, language):
                continue  # "… when we arrive, where can we charge it?": the arrival says when, not what is asked
            if winner.source == "context" and asked and arrival_aside(index, text, winner, language):
                open_questions, unknown_asked = open_questions + 1, True
                continue
            # A piece of a sentence asked as a question, or the last question of a message without its mark; but
            # "we just got back from the beach and …?": a piece before the asked one that only tells is circumstance,
            # and so is the story after an open question ("is there an elevator? I've got a massive suitcase").
            in_sentence = asked or any(fold(text.strip()) in q for q in questions) or lost_mark(text, message, language)
            told_past = dictated and tells_past(text, language)  # dictated: "anoche llegamos tarde y …"
            story = (in_sentence or open_unknown or told_past) and not asked and narrates(text, language)
            plain |= set() if story else {winner.topic}
            in_question = in_sentence and not story
            narrated |= {winner.topic} if story else set()
            if in_question:
                told.discard(winner.topic)
            elif winner.topic not in selected:
                told.add(winner.topic)
                after |= {winner.topic} if unsure else set()
            selected.setdefault(winner.topic, winner)
            subjects.setdefault(winner.topic, []).append(text)
            from_questions = from_questions or in_question
            if asked:
                asked_topics.add(winner.topic)
        elif close:
            for candidate in close:
                clarify.setdefault(candidate.topic, candidate)
            close_asked, unsure = close_asked or asked, unsure or asked
        elif asked and (len(words_of(text)) >= 3 or (CJK.search(text) and any(c.score >= CLARIFY_FLOOR for c in raw))):
            open_questions += 1
            unknown = unknown_subject(index, text)
            unsure, open_unknown = unsure or unknown, open_unknown or unknown  # what is said after it explains it
            named_open = named_open or any(c.score >= threshold for c in raw)  # "a supermarket nearby?"
            elsewhere = _asks_nearby(text, language)
            unknown_asked = unknown_asked or (not ranked and elsewhere and unknown_subject(index, text))
    if unknown_asked and not from_questions:  # "is there a gym nearby? I train every morning": the train is no answer
        return Decision(candidates, [], [], open_questions)
    if open_questions and not from_questions and narrated and set(selected) <= narrated:  # "… beach and a pharmacy?"
        return Decision(candidates, [], [], open_questions)
    # The guest's questions are answered, or one names topics we would ask about, or is left open with a subject of
    # its own: what the other sentences mention is circumstance ("附近有超市吗？想买点菜自己做饭": the cooking is why);
    # after a question left open, what follows it explains it ("can we borrow a pram? ours won't fit in the suitcase":
    # the suitcase is no answer), what came before may be what it asks about.
    if dictated and plain:
        selected = {topic: c for topic, c in selected.items() if topic in plain or topic not in narrated}
    open_named = named_open and not asked_topics
    aside = told if from_questions or open_named else told - named if close_asked else after
    kept = {t: c for t, c in selected.items() if t not in aside}
    selected = secret_aside(index, kept, subjects, language, list(clarify))
    selected = said_by_one(index, selected, candidates, language)  # "the keys and the rubbish before we go?"
    if open_named and not selected:  # nor does the whole message answer it with what a statement mentions
        return Decision(candidates, [], [], open_questions)
    if all(c.source == "context" for c in selected.values()) and any(c.source != "context" for c in clarify.values()):
        selected = {}  # only an arrival was sure, another part's subject is not: the whole message decides
    if not selected:  # no part is clear on its own: the message as a whole may still be ("et elle chauffe aussi ?")
        whole = [c for c in candidates if c.topic not in aside]
        winner, close = choose(whole, threshold=threshold, previous=previous, back=refers_back(message, language))
        if winner is None and QUESTION_END.search(message):
            winner, close = clause_decides(index, message, close, threshold=threshold, language=language)
        if winner is None:  # "where do I empty the little bin under the kitchen sink": the trash entry says more
            winner, close = said_more(index, message, close, threshold=threshold, language=language)
        if winner is not None and scattered(index, message, split, winner, language):  # an arrival no part says
            return Decision(candidates, [], [], 1)
        if winner is not None:
            return Decision(candidates, [winner], [], 0)
        # A message that refers back ("and …", "y …") may be answered by the previous topic below the threshold;
        # anything else is held to the threshold (the owner's word) and asked about.
        pointing = points_back(message, language)
        again = refers_back(message, language) or pointing
        earlier = [c for c in close if previous and c.topic == previous[0] and again]
        if earlier:
            return Decision(candidates, [earlier[0]], [], 0)
        # "is it heated?" right after the pool answer: "it" is the pool, and a weaker topic's word is what is asked
        # about it. A follow-up the previous entry does not hold goes to a person, not back to that entry.
        strong = [c for c in close if c.source not in THIN]
        if not strong or (pointing and all(c.score < threshold for c in strong)):
            unheld = read_follow_up(index, message, previous, language)
            if unheld is not None:
                return Decision(candidates, [] if unheld else [in_context(previous[0])], [], 1 if unheld else 0)
        clarify = {c.topic: c for c in (close or list(clarify.values()))}
    chosen = list(selected.values())[:MOST]
    asking = [c for c in clarify.values() if c.topic not in selected][:2]
    # A word only an entry's text uses, in a question about something else the knowledge base does not know ("rent a
    # paddle board" → the laundry's "board"): too thin to ask about, a person answers. Alone ("mediterrani?") it asks.
    if not chosen and asking and all(c.source in THIN for c in asking) and unknown_subject(index, message):
        return Decision(candidates, [], [], max(open_questions, 1))
    if chosen:  # answer what is sure; an ambiguous part is asked about by a person, not guessed
        open_count = open_questions + (1 if asking else 0)
        return Decision(candidates, chosen, [], open_count, frozenset(asked_topics))
    return Decision(candidates, [], asking, open_questions)
