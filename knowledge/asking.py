"""A message's parts, each with whether it was asked as a question, and the sentences asked as questions: by their
marks, or, in a message with none (dictated, or typed in a hurry), by how they start."""

import re

from concierge.core.text import fold
from knowledge.clauses import clauses, cut_asked, ends_asking
from knowledge.follow_ups import conjunction
from knowledge.index import CJK, words_of

SENTENCES = re.compile(r"[?？!！。\n;；]+|(?<=[^\W\d])\.(?:\s+|$)")
QUESTION_END = re.compile(r"[?？]")
CONJUNCT = 2  # words a conjunct needs to name a thing ("a screen", "a fan")
DASH = re.compile(r"\s[-–—:]\s")
QUESTIONS = re.compile(r"[^?？!！。\n;；.]*[?？]")  # the sentences asked as questions


def parts(message: str, *, language: str) -> list[tuple[str, bool]]:
    """The message's parts, each with whether it was asked as a question (ends with "?", or in Japanese and Chinese
    with its question particle: `clauses.ends_asking`)."""
    found: list[tuple[str, bool]] = []
    joins = conjunction(language)
    position = 0
    for match in [*SENTENCES.finditer(message), None]:
        end = match.start() if match else len(message)
        sentence = message[position:end]
        asked = bool(match and QUESTION_END.search(match.group(0)))
        position = match.end() if match else len(message)
        chunks = cut_asked(sentence, language)  # "附近有超市吗 想买点菜自己做饭": the question, then why
        for j, chunk in enumerate(chunks):
            pieces = joins.split(chunk) if joins else [chunk]
            pieces = [p for p in pieces if words_of(p) or CJK.search(p)]
            final = asked and j == len(chunks) - 1
            shared = final and _shares_mark(pieces, language)
            for i, piece in enumerate(pieces):
                # "厨房有电饭煲吗": a Japanese or Chinese piece ending as a question is asked without its mark
                last = final and (i == len(pieces) - 1 or (shared and i == len(pieces) - 2))
                found.append((piece, last or ends_asking(piece, language)))
    return found


def _shares_mark(pieces: list[str], language: str) -> bool:
    """Whether the last piece of a question is a conjunct of the piece before it, which asks: "is there a desk and a
    screen I can plug my laptop into?" asks about the desk too (the mark ends both), where "the towels are wet and is
    there a dryer?" asks only once."""
    if len(pieces) < 2 or CJK.search(pieces[-1]) or len(words_of(pieces[-1])) < CONJUNCT:
        return False  # "does the chair go up and down?": one word after "and" is no thing of its own
    before = DASH.split(pieces[-2])[-1]  # "working from the flat - is there a desk": the dash cuts like a comma
    return not any(asks for _text, asks in clauses(pieces[-1], language)) and clauses(before, language)[-1][1]


def lost_mark(text: str, message: str, language: str) -> bool:
    """Whether a part ends a message that asked before and starts as a question does: "where do the bins go? and until
    when can we stay" asks twice, the last question without its mark."""
    rest = message.rstrip()
    return "?" in message and rest.endswith(text.rstrip()) and not CJK.search(text) and clauses(text, language)[0][1]


def unmarked(pieces: list[tuple[str, bool]], message: str, language: str) -> list[tuple[str, bool]]:
    """A message of several sentences and no question mark is read as if its questions had their marks: a sentence
    that starts as a question is asked ("the kids towels are all wet. is there a dryer somewhere": the towels tell,
    the dryer is asked). One run-on sentence is left as it is: its pieces may all ask."""
    sentences = [s for s in SENTENCES.split(message) if words_of(s)]
    if QUESTION_END.search(message) or len(sentences) < 2 or CJK.search(message):
        return pieces
    asking = [fold(s.strip()) for s in sentences if clauses(s, language)[0][1]]
    return [
        (text, asked or any(q.endswith(fold(text.strip())) for q in asking) or _asks_in(text, asking, language))
        for text, asked in pieces
    ]


def _asks_in(text: str, asking: list[str], language: str) -> bool:
    """Whether a piece of a sentence that asks starts as a question itself ("whats the wifi password and …")."""
    return any(fold(text.strip()) in q for q in asking) and clauses(text, language)[0][1]
