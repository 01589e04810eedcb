"""The one topic that clearly answers a part of a message, or the close topics to ask about; between close topics,
the conversation, the clause that asks or the entry that says more of the message decides."""

import re
from collections.abc import Sequence

from knowledge.index import Index, words_of
from knowledge.mentions import content_words, mentions
from knowledge.options import topic_words
from knowledge.retrieval import CLARIFY_FLOOR, Candidate, rank_message

# A second topic this close to the first makes the question ambiguous: ask, do not guess.
MARGIN = 0.1

# Between two sure topics, an entry that holds this many more of the message's content words than the other is what
# the message is about ("where do I empty the little bin under the kitchen sink": the trash entry's bin and sink).
SAID_MORE = 2
CLAUSE_BREAK = re.compile(r"[,.;:!?？。，！]")

# Evidence too thin to ask about: a word only an entry's text uses. A person answers instead of a guess of a question.
THIN = frozenset({"content", "weak"})


def choose(
    candidates: list[Candidate], *, threshold: float, previous: Sequence[str] = (), back: bool = False
) -> tuple[Candidate | None, list[Candidate]]:
    """The one topic that clearly answers a part, or the close topics to ask about (context words step aside).

    Between close topics, the conversation decides: a topic of the previous answer is what "it" refers to, unless
    the guest also named a new subject as strongly ("after check-out, where can we leave the bags?" right after the
    check-out answer): that answer was just given, so the new subject is what is asked now; two new ones, we ask.
    `back`: the message starts "and …" ("y toallas para la playa?"): it goes on about the previous answer.
    """
    if not candidates:
        return None, []
    top = candidates[0]
    rivals = [c for c in candidates[1:] if c.source != "context" and c.score >= top.score - MARGIN]
    # "arriviamo a dicembre … è riscaldato?": an arrival word beside a plausible subject answers neither: we ask.
    # A word only an entry's text uses ("around" in the hot tub's text) is no subject beside an arrival.
    subjects = [c for c in candidates[1:] if c.source not in ("context", *THIN) and c.score >= CLARIFY_FLOOR]
    if top.source == "context" and subjects and not rivals:
        return None, [top, subjects[0]]
    if top.score >= threshold and not rivals:
        return top, []
    if top.source == "context" and rivals and rivals[0].score >= threshold:  # "arrive" beside a subject
        return rivals[0], []
    close = [top, *rivals]
    earlier = [c for c in close if c.topic in previous]
    if earlier and top.score >= threshold:
        new = [c for c in close if c.topic not in previous and c.source == "lexicon" and c.score >= threshold]
        if not new:
            return earlier[0], []
        if len(new) == 1 and not back:  # the previous topic was just answered: the new subject is asked now
            return new[0], []
        return None, close[:2]  # the previous topic and new subjects as strong: ask, do not guess
    plausible = [c for c in close if c.score >= CLARIFY_FLOOR]
    return None, plausible[:2]


def clause_decides(
    index: Index, text: str, close: list[Candidate], *, threshold: float, language: str
) -> tuple[Candidate | None, list[Candidate]]:
    """Between close topics, the clause that asks decides: "we're outside with all the bags, what's the code for the
    key box?" asks about the key box; the bags are the circumstance. Unchanged unless exactly one sure topic is
    named in the question's last clause."""
    head, comma, asked = text.rstrip(" ?？").rpartition(",")
    if len(close) < 2 or not comma or not head.strip() or len(words_of(asked)) < 2:
        return said_more(index, text, close, threshold=threshold, language=language)
    named = {c.topic for c in rank_message(index, asked, language=language) if c.score >= CLARIFY_FLOOR}
    inside = [c for c in close if c.topic in named]
    if len(inside) == 1 and inside[0].score >= max(threshold, close[0].score - 0.02):  # it breaks ties, no more
        return inside[0], []
    return said_more(index, text, close, threshold=threshold, language=language)


def said_more(
    index: Index, text: str, close: list[Candidate], *, threshold: float, language: str
) -> tuple[Candidate | None, list[Candidate]]:
    """Between two topics both sure by their own words, the entry that holds clearly more of what the message says
    decides: "where do I empty the little bin under the kitchen sink?" names the kitchen, but the trash entry gives the
    bin, emptying and the sink. Unchanged unless one entry holds `SAID_MORE` more of its content words."""
    if len(close) != 2 or any(c.source in (*THIN, "context") or c.score < threshold for c in close):
        return None, close
    # Both named in one clause ("the bin under the kitchen sink"); named apart, the clause that asks decides, or we
    # ask ("our train leaves late, is that luggage place open on sundays?": nothing says the lockers' hours).
    topics = {c.topic for c in close}
    if not any(
        topics <= {c.topic for c in rank_message(index, clause, language=language) if c.score >= CLARIFY_FLOOR}
        for clause in CLAUSE_BREAK.split(text)
    ):
        return None, close
    words = set(content_words(text, language=language))
    held = [
        sum(1 for w in words if w in topic_words(index, c.topic) or mentions(index.texts.get(c.topic, ""), w, language))
        for c in close
    ]
    if abs(held[0] - held[1]) < SAID_MORE:
        return None, close
    return close[0] if held[0] > held[1] else close[1], []
