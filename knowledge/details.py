"""Details a question asks that its entry may not give, read off how the question is put (knowledge/coverage.py).

- A message with no question mark at all (dictated, typed in a hurry) still asks where a piece starts as a question
  does ("do the bikes have baskets or panniers, want to cycle to the shops"): it is checked as if it had its mark.
- What such a message asks is its clauses that start as questions: the others tell ("…, we got nothing for
  breakfast"), and a listing topic (the tips) must name what they ask (knowledge/grounding.py).
- "where can we hire a car?", "is there a car rental place in Bergen?": a question asking where to rent, hire or buy a
  thing (`knowledge/data/acquiring.yaml`) is not answered by an entry that names the thing but never says where to get
  anything (the parking entry for a hire car).
- "does the hot tub have jets or is it just warm water?": an alternative restricted by "just", "only", "solo"
  (`knowledge/data/restrictives.yaml`) is what the guest already knows; only the options before it are asked.
- A piece split off at "also" or "anche" is read with the pieces after it that name no topic of their own
  (`with_tail`: "Fährt die Tram auch nachts?" still asks about the tram).
"""

import re
from collections.abc import Callable, Sequence

from concierge.core.text import fold
from knowledge.clauses import clauses
from knowledge.index import CJK, Index, language_patterns, words_of
from knowledge.lexicon import DATA, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_file
from knowledge.mentions import mentions

ACQUIRING = language_file(DATA / "acquiring.yaml", SUPPORTED_LANGUAGES)
WHERE_WORDS = language_file(DATA / "where_questions.yaml", SUPPORTED_LANGUAGES)
RESTRICTIVES = language_patterns(DATA / "restrictives.yaml")
# How far into the alternative a restricting word still says "only what I already know" ("or is it just warm water").
RESTRICTIVE_REACH = 4
QUESTION_MARK = re.compile(r"[?？]")
_LETTERS = re.compile(r"[^\W\d_]+")


def _as_written(text: str) -> str:
    """The words of a text in lower case with their accents, between spaces: "où" (where) is no "ou" (or)."""
    return " " + " ".join(_LETTERS.findall(text.lower().replace("’", "'"))) + " "


def asks(message: str, language: str) -> bool:
    """Whether a message asks: by its mark, or, without any (dictated, typed in a hurry), by a clause that starts as a
    question does ("do the bikes have baskets or panniers, want to cycle to the shops")."""
    if QUESTION_MARK.search(message):
        return True
    return not CJK.search(message) and any(asks for _clause, asks in clauses(message, language))


def restricts(alternative: str, language: str) -> bool:
    """Whether the words after an alternative's "or" restrict it to what the guest already knows ("or is it just warm
    water?", "o es solo agua caliente", "ou só no gás"): then only the options before it are asked."""
    pattern = RESTRICTIVES.get(language)
    opening = " ".join(words_of(alternative)[:RESTRICTIVE_REACH])
    return pattern is not None and bool(pattern.search(opening if not CJK.search(alternative) else alternative))


def asking_clauses(text: str, language: str) -> str:
    """The clauses of a piece that ask, when some do and others tell: in "30 degrees at night, how do we get the AC
    on" the night is when it is hot, not hours asked of the air conditioning."""
    found = clauses(text, language)
    asking = [clause for clause, asks in found if asks]
    return ", ".join(asking) if asking and len(asking) < len(found) else text


def asked_part(message: str, language: str) -> str:
    """What a message without any question mark asks: its clauses that start as questions do ("is there a supermarket
    close by that opens on sundays, we got nothing for breakfast": not the breakfast); the message otherwise."""
    if QUESTION_MARK.search(message) or CJK.search(message):
        return message
    return asking_clauses(message, language)


def gives_acquiring(
    index: Index, text: str, entries: Sequence[str], language: str, whether: Callable[[str], bool]
) -> bool:
    """False when a clause of the text asks where to rent, hire or buy something (`acquiring.yaml`, in its language or
    English; not a phrase the knowledge base knows: "a hire car" is the guest's) and none of the (folded) entry texts
    says where to get anything, in any language."""
    words = [fold(w) for lang in dict.fromkeys((language, "en")) for w in ACQUIRING.get(lang, ())]
    asking = [fold(c) for c, asks in clauses(text, language) if asks]
    said = " " + " ".join(words_of(text)) + " "
    phrases = (term.words for term in index.terms if len(term.words) > 1)
    known = {w for words in phrases if f" {' '.join(words)} " in said for w in words}
    held = " ".join(w for c in asking for w in words_of(c) if w not in known)
    if CJK.search(text) or not any(mentions(held, w, language) for w in words):
        return True
    lowered = _as_written(text)
    where = any(f" {w} " in lowered for lang in (language, "en") for w in WHERE_WORDS.get(lang, ()))
    if not where and not whether(text):
        return True  # "do we need to buy coffee?" asks whether it is there: where to get it is not asked
    every = {(lang, fold(w)) for lang, found in ACQUIRING.items() for w in found if not CJK.search(w)}
    return any(mentions(entry, w, lang) for entry in entries for lang, w in every)


def _joined(message: str, pieces: Sequence[str]) -> str:
    """The pieces joined by the commas and dashes the message put between them ("is there a toaster in the kitchen,
    forgot to check": the clause after the comma tells, it asks for no detail), by a space where words split them
    ("is het zwembad ook geschikt …": "ook" is no part of the question) or where a piece is not found."""
    joined, start = pieces[0], message.find(pieces[0])
    end = start + len(pieces[0]) if start >= 0 else -1
    for piece in pieces[1:]:
        found = message.find(piece, end) if end >= 0 else -1
        gap = message[end:found] if found >= 0 else ""
        joined += (gap if gap.strip() and not _LETTERS.search(gap) else " ") + piece
        end = found + len(piece) if found >= 0 else -1
    return joined


def with_tail(
    text: str,
    asked: bool,
    rest: Sequence[tuple[str, bool]],
    named: Callable[[str], set[str]],
    dictated: bool,
    message: str = "",
) -> tuple[str, bool]:
    """A piece with the pieces after it that name no topic of their own, and whether they end asked: "Fährt die Tram
    auch nachts?" is split at "auch", and "nachts?" still asks about the tram; in a `dictated` message, up to its end
    ("la piscina ha anche le sdraio": split at "anche", the loungers are what is asked), as the `message` wrote it."""
    if asked:
        return text, asked
    tail = []
    for piece, piece_asked in rest:
        if named(piece):
            break
        tail.append(piece)
        if piece_asked:
            return _joined(message, [text, *tail]), True
    return (_joined(message, [text, *tail]), asked) if dictated and len(tail) == len(rest) else (text, asked)
