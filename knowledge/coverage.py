"""Whether the entry chosen for a question says what the question asks: a topic word is not an answer on its own.

"Is the pool heated?" names the pool, and the pool entry is the sure topic, but the entry only gives the season and
the hours: quoting it answers a question the guest did not ask, with confidence. A question is covered by its entry
when every word that carries its content is a word of that topic (its lexicon, title or text) or something the
entry's text mentions. A content word that is another topic's own word ("heated": heating) or that nothing in the
knowledge base knows ("lifeguard", "guarded", "tickets"), and that the entry does not mention, is a detail the entry
does not give: a person answers instead of a confident wrong answer.

A word nothing knows only counts in a short closed question ("is the pool heated?", "ist der Pool überdacht?"): a
long message carries its circumstances ("we've got loads of bottles"), and an open question (where, how, is there,
can we bring or use: `knowledge/data/open_questions.yaml`) is answered by the entry whatever else it says. A closed
question is checked in every language: in one the entry is not written in, the word cannot be looked up in its text,
but nothing in the knowledge base knowing it is the sign that the entry does not give it either (measured on the dev
split: more wrong answers avoided than answers lost). Another topic's word is not asked about in an open question
("tem toalha de praia?": beach towels), nor right after a negation ("we don't need parking", "sin coche").
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from concierge.core.text import fold
from knowledge.cjk import unknown_cjk
from knowledge.clauses import PLACES, PURPOSES, placed
from knowledge.details import QUESTION_MARK, asking_clauses, asks, gives_acquiring, with_tail
from knowledge.index import Index, language_patterns, words_of
from knowledge.lexicon import DATA, NEARBY_WORDS, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_file
from knowledge.measures import WHERE, gives_warmth, unheld, unplaced
from knowledge.mentions import (
    FOLLOW_UPS,
    OPEN_WORDS,
    PLACE_WORDS,
    content_words,
    is_open,
    mentions,
    mentions_place,
    owned,
    present,
    short_words,
    unframed,
)
from knowledge.options import ALTERNATIVES, neither_given, topic_words
from knowledge.retrieval import CLARIFY_FLOOR, Candidate, rank_message
from knowledge.things import given_words, named_by_one, unnamed

# The open words that only ask whether something is there, provided or allowed ("is there", "hay", "mag").
WHETHER_WORDS = frozenset(
    fold(w) for found in language_file(DATA / "whether_questions.yaml", SUPPORTED_LANGUAGES).values() for w in found
)
WHY = language_patterns(DATA / "why_questions.yaml")
NEARBY = frozenset(fold(w) for found in NEARBY_WORDS.values() for w in found)
FOLLOW_UP = "(follow-up)"  # what a topic resolved from the conversation shows as matched (knowledge/questions.py)
# How sure a word must be of another topic, through that topic's own words, to be that topic's subject.
RIVAL_FLOOR = CLARIFY_FLOOR
RIVAL_SOURCES = frozenset({"lexicon", "title"})
# A question this short asks about each of its words: one the knowledge base does not know is the detail asked.
SHORT_QUESTION = 9
# Languages whose nouns change with their case ("psa" for "pies"): a word of one no entry is written in cannot be looked
# up, so a closed question in it is checked only this long (longer ones lost Polish answers on the dev split).
INFLECTED, INFLECTED_QUESTION = frozenset({"pl"}), 7
# In a language the entry is written in, its words can be looked up: a closed question up to this long is checked.
WRITTEN_QUESTION = 12
# A question asking whether there is a thing, longer than this, tells a story around it: its words are not all asked.
WHETHER_QUESTION = 12


def asks_whether(text: str, language: str | None = None) -> bool:
    """Whether an open question only asks whether a thing is there, provided or allowed ("is there a lifeguard at the
    pool?", "mag er badschuim in de hottub?"), not where, how, when or what: the thing must be something the entry
    mentions or the knowledge base knows (`unknown_things`). With its `language`, up to an alternative offered ("hay
    sombrillas o hay que comprar una": the alternative's "que" asks nothing)."""
    alternative = ALTERNATIVES.get(language or "")
    text = alternative.split(fold(text), maxsplit=1)[0] if alternative else text
    if len(words_of(text)) > WHETHER_QUESTION:
        return False
    opening, whether = present(text, OPEN_WORDS), present(text, WHETHER_WORDS)
    if not opening or not whether:
        return False
    parts = {part for phrase in whether for part in phrase.split()}  # "is there" accounts for "there"
    return all(w in whether or w in parts for w in opening)


def asks_where(text: str, language: str) -> bool:
    """Whether a question asks where a thing is ("where are the extra blankets?", "wo ist der Föhn?"): like asking
    whether there is one, the entry answers it only when it names the thing, in any of its languages."""
    folded = fold(text)
    return any((p := WHERE.get(lang)) is not None and p.search(folded) for lang in dict.fromkeys((language, "en")))


def uncovered(index: Index, text: str, topics: Iterable[str], *, language: str, closed: bool = False) -> list[str]:
    """The content words of `text` that none of `topics` explains (neither a word of the topic nor something its
    entry mentions) and that ask about something else: another topic's own word (outside an open question), or, in a
    `closed` question (a short one asking whether the topic has some property), a word nothing in the knowledge base
    knows."""
    chosen = [t for t in topics if t in index.texts]
    if not chosen or (not closed and is_open(text, language)):  # nothing to hold an open question back
        return []
    known = frozenset().union(*(topic_words(index, t) for t in chosen))
    where = placed(text, language)  # "… on the balcony by the pool?": the pool only says where
    missing = []
    things = given_words(text, (index.texts[t] for t in chosen))  # "drewno": the entry's "logs", in English
    for word in content_words(text, language=language):
        if word in known or word in things or any(mentions(index.texts[t], word, language) for t in chosen):
            continue
        if any(mentions_place(index.texts[t], word) for t in chosen):  # "na varanda": the entry's "balcony"
            continue
        if word in NEARBY or word in PLACES.get(language, ()):  # "parking near the flat?": says where, not what
            continue
        if gives_warmth(word, (index.texts[t] for t in chosen)):  # "è già calda?": the entry's 38 °C
            continue
        ranked = rank_message(index, word, language=language)
        if any(c.topic in chosen for c in ranked):
            continue
        # A word two other topics share ("around": local tips and transport) names neither.
        rival = (
            bool(ranked)
            and ranked[0].score >= RIVAL_FLOOR
            and ranked[0].source in RIVAL_SOURCES
            and (len(ranked) == 1 or ranked[1].score < ranked[0].score)
        )
        # A follow-up word asks more about the topic ("how much", "until when"): it holds the answer back only as
        # another topic's own word ("is the pool heated?": heating), never as a word nothing knows.
        if (rival and word not in where) or (not ranked and closed and word not in FOLLOW_UPS):
            missing.append(word)
    short = [  # "czy zmywarka ma program eko?", "is the desk monitor 4k?": a short word nothing knows
        w
        for w in (short_words(text) if closed else ())
        if w not in FOLLOW_UPS
        and not any(mentions(index.texts[t], w, language) for t in chosen)
        and not rank_message(index, w, language=language)
    ]
    return missing + short + (unknown_cjk(index, text, language, chosen) if closed else [])


def unknown_things(index: Index, text: str, topics: Iterable[str], *, language: str) -> list[str]:
    """In a question asking whether there is a thing: its words that nothing in the knowledge base knows and that no
    chosen entry mentions ("a lifeguard at the pool?", "gears" on the bikes; "c'è il bagnino?" also where the entry is
    only in English: a word nothing knows is the sign it does not give it). A word of a phrase the knowledge base knows
    ("aria condizionata", "máquina de lavar") is known. Words of nearness, places and follow-ups, and the word after a
    preposition of place or purpose, say where, for whom or what more, not which thing."""
    chosen = [t for t in topics if t in index.texts]
    if not chosen:
        return []
    text = _whether_part(text, language)
    known = _phrase_words(index, text)
    aside = placed(text, language) | placed(text, language, PURPOSES)  # "in the building", "para el bebé"
    # "hay sitio", "anywhere to park near the flat": the words of whether and nearness phrases ask for no thing
    aside |= {
        part
        for phrase in (present(text, WHETHER_WORDS) or set()) | (present(text, NEARBY) or set())
        for part in phrase.split()
    }
    aside |= owned(text, language)  # "a monitor I can plug my laptop into": the laptop is the guest's
    return [
        word
        for word in content_words(text, language=language)
        if word not in aside
        and word not in known
        and word not in FOLLOW_UPS
        and word not in NEARBY
        and word not in PLACE_WORDS
        and not any(mentions(index.texts[t], word, language) or mentions_place(index.texts[t], word) for t in chosen)
        and not rank_message(index, word, language=language)
    ] + unknown_cjk(index, text, language, chosen)


def _phrase_words(index: Index, text: str) -> frozenset[str]:
    """The words of every phrase of the knowledge base (of any topic) that the text holds whole."""
    held = set(words_of(text))
    phrases = (term.words for term in index.terms if len(term.words) > 1)
    return frozenset(w for words in phrases if held.issuperset(words) for w in words)


def _whether_part(text: str, language: str) -> str:
    """The clauses of a question that ask whether (between commas, after a colon or a question), each up to a word
    offering an alternative: "it's far too warm in the bedroom, do you have a fan?" asks about a fan; "hi, I'm Ana
    López: is there room for my camper?" about the camper; "is there a hairdryer or should I pack mine?" about a
    hairdryer. The whole text when no clause alone asks whether."""
    asking = [c for c in re.split(r"[,，、;；:：?？!！]", text) if present(c, WHETHER_WORDS)]
    if not asking:
        return text
    alternative = ALTERNATIVES.get(language)
    folded = [fold(c) for c in asking]
    return " ".join(alternative.split(c, maxsplit=1)[0] for c in folded) if alternative else " ".join(folded)


def closed_question(text: str, asked: bool, language: str, *, longest: int = 0) -> bool:
    """Whether a piece of a message is a short question asking whether its topic has some property ("is the pool
    heated?", "¿el tranvía funciona de madrugada?"), not where, how, when or whether there is one."""
    longest = longest or (INFLECTED_QUESTION if language in INFLECTED else SHORT_QUESTION)
    return asked and len(words_of(unframed(text))) <= longest and not is_open(text, language)


def _clause(index: Index, text: str, topic: str, language: str) -> str:
    """The clause of a piece (between commas) that names the topic, the last one if several do, else the piece:
    "I'm at the door with the suitcases, what was the code?" asks about the code; the suitcases are a circumstance."""
    naming = [
        c
        for c in re.split(r"[,，、]", text)
        if any(r.topic == topic and r.score >= CLARIFY_FLOOR for r in rank_message(index, c, language=language))
    ]
    return naming[-1] if naming else text


def asks_why(text: str, language: str) -> bool:
    """Whether a question asks why something happens ("how come the wifi keeps dropping?"), in its language or
    English: a problem, which the entry's description does not explain."""
    folded = fold(text)
    return any((p := WHY.get(lang)) is not None and p.search(folded) for lang in dict.fromkeys((language, "en")))


def _from_topic(index: Index, text: str, topic: str, language: str) -> str:
    """The piece from its first clause (between commas) that names the topic: what comes before is the guest's
    circumstance ("tá um frio danado de noite, o ar condicionado esquenta?": the night asks for no hours)."""
    found = re.split(r"[,，、]", text)
    for i, clause in enumerate(found):
        if any(r.topic == topic and r.score >= CLARIFY_FLOOR for r in rank_message(index, clause, language=language)):
            return ",".join(found[i:])
    return text


def _answers(
    index: Index, text: str, asked: bool, topic: str, others: set[str], language: str, *, unmarked: bool = False
) -> bool:
    """Whether the topic's entry (with the other topics chosen for the piece) covers what the piece asks. `unmarked`:
    a message with no question mark at all whose piece starts as a question does ("do the bikes have baskets or
    panniers, want to cycle to the shops"): whether there is a thing, and a choice, are checked as if it had one."""
    measured = asking_clauses(_from_topic(index, text, topic, language), language)
    entries = [index.texts[t] for t in others | {topic} if t in index.texts]
    if unheld(measured, entries, language):
        return False  # "how fast is the wifi?": the entry holds no figure of the kind asked, whatever else it says
    if unplaced(index, measured, others | {topic}, language):
        return False  # "what time does Casa Carmela close?": the tips' hours are the market's
    if asked and asks_why(text, language):
        return False  # "perché la lavatrice non scarica?": a problem, which a person looks into
    if (asked or unmarked) and not gives_acquiring(index, text, entries, language, asks_whether):
        return False  # "where can we hire a car?": the parking entry says where to park, not where to hire one
    if (asked or unmarked) and neither_given(index, text, others | {topic}, language=language):
        return False  # "is the parking covered or open air?": the entry says neither
    closed = closed_question(text, asked, language)
    if not closed and language in index.written_in.get(topic, ()):  # "is the pool very busy in the afternoons?"
        closed = closed_question(text, asked, language, longest=WRITTEN_QUESTION)
    clause = _clause(index, text, topic, language)
    if not closed and is_open(text, language):  # where, how, is there …: the entry answers, whatever else is said
        # … except whether there is a thing nothing knows, which the entry does not mention ("a lifeguard at the pool?")
        return not ((asked or unmarked) and asks_whether(text, language)) or not unknown_things(
            index, text, others | {topic}, language=language
        )
    return not uncovered(index, clause, others | {topic}, language=language, closed=closed)


def covered(
    index: Index,
    selected: Sequence[Candidate],
    message: str,
    pieces: Sequence[tuple[str, bool]],
    *,
    language: str,
    previous: Sequence[str] = (),
) -> tuple[list[Candidate], int]:
    """The selected topics whose question their entry answers, and how many were dropped (each one a question left
    open, for a person). A topic is checked in the pieces of the message that name it (the whole message when none
    does alone), in the clause that names it, with the words of the other topics chosen there; it stays when one of
    them is covered. A topic the conversation is already about (a follow-up: "and from what time?") stays."""
    ranked: dict[str, set[str]] = {}

    def named(text: str) -> set[str]:  # ranked once per piece, and only when a topic is checked
        if text not in ranked:
            ranked[text] = {c.topic for c in rank_message(index, text, language=language) if c.score >= CLARIFY_FLOOR}
        return ranked[text]

    chosen = {c.topic for c in selected}
    dictated = not QUESTION_MARK.search(message) and asks(message, language)  # no mark, a piece starts as a question
    kept = []
    for candidate in selected:
        topic = candidate.topic
        if candidate.matched == FOLLOW_UP or topic in previous:
            kept.append(candidate)
            continue
        asking = [
            (*with_tail(text, asked, pieces[i + 1 :], named, dictated, message), named(text) & chosen)
            for i, (text, asked) in enumerate(pieces)
            if topic in named(text)
        ] or [(message, "?" in message, named(message) & chosen)]
        # "is the parking covered or open air? worried about the sun on the car": the question, not the circumstance
        every, asking = asking, [a for a in asking if a[1]] or asking
        # "hay sombrillas en la casa?": the thing whose word named the topic, which its entry does not name
        # A piece asking whether there is a thing asks it before the message's one question mark ("are there pots and
        # pans?" is read as "are there pots" and "pans?").
        marked = dictated or bool(QUESTION_MARK.search(message))
        whether = [text for text, asked, _others in every if (asked or marked) and asks_whether(text, language)]
        # … or where it is: "where" may fall in a piece of its own ("the heating is fine, but where | are the blankets")
        if marked and asks_where(message, language):
            whether += [text for text, _asked, _others in every]
        # … also when the thing is the word of its own question, not the message's best ("wanna cook pasta, are
        # there pots and pans? and is there olive oil": "cook" names the kitchen, the oil is what is asked)
        words = [candidate.matched]
        words += [c.matched for t in whether for c in rank_message(index, t, language=language) if c.topic == topic]
        missing = unnamed(dict.fromkeys(fold(w) for w in words), (index.texts[t] for t in chosen)) if whether else []
        if missing:
            best = fold(candidate.matched)  # only the word that named the topic may name another entry instead
            other = named_by_one(index.texts, best, chosen | {c.topic for c in kept}) if best in missing else None
            if other and not any(unknown_things(index, t, [other], language=language) for t, _a, _o in asking):
                kept.append(replace(candidate, topic=other))  # the entry that names the thing answers
            continue
        if any(
            _answers(index, text, asked, topic, others, language, unmarked=dictated and asks(text, language))
            for text, asked, others in asking
        ):
            kept.append(candidate)
    return kept, len(selected) - len(kept)
