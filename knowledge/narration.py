"""Circumstance or question: which parts of a guest's message tell and which ask.

Guests tell a story around their question ("we just got back from the beach and it's boiling in here, how do we get
the air con going?", "we're getting a late train and won't arrive till 11pm, hope that's not a problem for getting
in?"). A piece of a question's sentence whose subject is the guest and that neither asks, requests nor wishes for
anything tells a circumstance (`knowledge/data/narration.yaml`): its topic is no question of its own. An arrival word
("when we arrive") in a clause before the one that asks says when, not what is asked. `knowledge/questions.py` uses
both when it chooses per part.
"""

import re
from collections.abc import Mapping, Sequence
from functools import cache

from concierge.core.text import fold
from knowledge.clauses import REQUESTS, STARTS, clauses
from knowledge.follow_ups import FOLLOW_UPS
from knowledge.index import CJK, COMMON, STOPWORDS, Index, phrase_pattern, words_of
from knowledge.lexicon import DATA, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_words, load_yaml_data, mapping
from knowledge.mentions import content_words, is_open, mentions
from knowledge.retrieval import Candidate, rank_message
from knowledge.things import thing_pattern, things_named

_NARRATION = DATA / "narration.yaml"


@cache
def _narration() -> dict[str, tuple[re.Pattern[str] | None, re.Pattern[str] | None]]:
    node = mapping(_NARRATION, load_yaml_data(_NARRATION), ["subjects", "past", "wishes"], "section")
    subjects = language_words(_NARRATION, node["subjects"], SUPPORTED_LANGUAGES, required=False)
    past = language_words(_NARRATION, node["past"], SUPPORTED_LANGUAGES, required=False)
    telling = {lang: [*subjects.get(lang, ()), *past.get(lang, ())] for lang in {*subjects, *past}}
    wishes = language_words(_NARRATION, node["wishes"], SUPPORTED_LANGUAGES, required=False)
    return {
        lang: (
            phrase_pattern(found),
            phrase_pattern([*wishes.get(lang, ()), *STARTS.get(lang, ()), *REQUESTS.get(lang, ())]),
        )
        for lang, found in telling.items()
    }


@cache
def _past() -> dict[str, re.Pattern[str] | None]:
    node = mapping(_NARRATION, load_yaml_data(_NARRATION), ["subjects", "past", "wishes"], "section")
    past = language_words(_NARRATION, node["past"], SUPPORTED_LANGUAGES, required=False)
    return {lang: phrase_pattern(found) for lang, found in past.items()}


def tells_past(text: str, language: str) -> bool:
    """Whether a piece of a message tells what happened ("anoche llegamos tarde"): it holds a word of past time."""
    pattern = _past().get(language)
    return pattern is not None and bool(pattern.search(fold(text).replace("’", "'")))


def narrates(text: str, language: str) -> bool:
    """Whether a piece of a question's sentence tells the guest's circumstance ("we just got back from the beach and
    …", "we're getting a late train and …", "anoche llegamos tarde y …"): the guest is its subject or it tells a
    past time, and it holds no word that starts a question
    ("sorry silly question but what do we do with …"), requests or wishes (`knowledge/data/narration.yaml`)."""
    subjects, asking = _narration().get(language, (None, None))
    folded = fold(text).replace("’", "'")
    if subjects is None or not subjects.search(folded) or (asking is not None and asking.search(folded)):
        return False
    return not any(asks for _clause, asks in clauses(text, language))


def outside_question(index: Index, text: str, topic: str, language: str) -> str:
    """Whether `topic` is named only outside the clause of a sentence that asks last: "it'll be nearly flat when we
    arrive, where can we charge it?" asks where to charge, "when we arrive, where can we buy groceries?" where to shop;
    the arrival only says when. The clause that asks, or "" when the topic is named there (or nowhere alone)."""
    found = clauses(text, language)
    last = max((i for i, (_clause, asks) in enumerate(found) if asks), default=None)
    if len(found) < 2 or last is None:
        return ""
    ranked = [{c.topic for c in rank_message(index, clause, language=language)} for clause, _asks in found]
    named = [i for i, topics in enumerate(ranked) if topic in topics]
    return found[last][0] if named and last not in named else ""


def unknown_subject(index: Index, text: str) -> bool:
    """Whether a question names something nothing in the knowledge base knows ("is there a gym?")."""
    return any(
        len(w) >= 3 and w.isalpha() and w not in STOPWORDS and w not in COMMON and w not in FOLLOW_UPS
        for w in words_of(text)
        if w not in index.known
    )


def arrival_aside(index: Index, text: str, winner: Candidate, language: str) -> bool:
    """Whether an arrival word only says when something the knowledge base does not know is asked about in an open
    question: "when we arrive, where can we buy groceries?"."""
    asked = outside_question(index, text, winner.topic, language)
    return bool(asked) and is_open(asked, language) and unknown_subject(index, asked)


def scattered(index: Index, text: str, parts: Sequence[tuple[str, bool]], winner: Candidate, language: str) -> bool:
    """Whether the arrival word that makes a topic the answer of the whole message (`text`) is no question of its own:
    it only says when something unknown is asked (`arrival_aside`), or it is a phrase that none of the message's
    `parts` holds, its words scattered over them ("first time in Berlin … we land at BER on friday, how do we get to
    the flat from there?" holds "get", "in" and "at", but no part says "get in at"). A subject's phrase may be split
    by coordination ("lavar e secar roupa" is about washing clothes): only arrival phrases are checked."""
    if winner.source != "context":
        return False
    if arrival_aside(index, text, winner, language):  # "when we arrive, where can we buy groceries?"
        return True
    if len(parts) < 2 or " " not in winner.matched:
        return False
    return not any(any(c.topic == winner.topic for c in rank_message(index, t, language=language)) for t, _ in parts)


def _things_only(index: Index, topic: str, asked: Sequence[str], others: Sequence[str]) -> bool:
    """Whether Japanese or Chinese parts name `topic` only through things another chosen entry names in any of its
    languages ("退房几点？钥匙放回哪里": the check-out's keys; "毛巾放哪儿": its towels); "キーボックスの暗証番号は？"
    still asks for the code."""
    pattern, _ = thing_pattern()
    named = things_named(" ".join(asked))
    if not named or not named <= things_named(" ".join(others)):
        return False
    rest = [pattern.sub(" ", fold(text)) for text in asked]
    return not any(c.topic == topic for text in rest for c in rank_message(index, text, language=None))


def secret_aside(
    index: Index,
    selected: dict[str, Candidate],
    subjects: Mapping[str, Sequence[str]],
    language: str,
    asked_about: Sequence[str] = (),
) -> dict[str, Candidate]:
    """An entry is left out when the parts that made it a subject (`subjects`, by topic) only name things another
    chosen entry speaks of itself: "what time we must leave on sunday and the keys where we let them?" is answered by
    the check-out (which says where the keys go), not by the door code as well; "… and what do we do with the towels?"
    by the check-out, not by the list of what the flat has; "check-in time and the lockbox code?" still asks for the
    code, "check-out time and are there beach towels?" still for the beach towels. In Japanese and Chinese any entry
    named only by such a thing steps aside, also beside a topic we would ask about (`asked_about`:
    "チェックアウトの際、シーツは…？鍵はどちらに？")."""
    also = [t for t in asked_about if t not in selected]
    if len(selected) + len(also) < 2:
        return selected
    cjk = [t for t, parts in subjects.items() if t in selected and parts and all(CJK.search(p) for p in parts)]

    def besides(topic: str) -> list[str]:
        return [index.texts.get(o, "") for o in [*selected, *also] if o != topic]

    aside = {t for t in cjk if _things_only(index, t, subjects[t], besides(t))}
    if aside and (also or len(aside) < len(selected)):
        selected = {t: c for t, c in selected.items() if t not in aside}
    kept = dict(selected)
    for topic, candidate in selected.items():
        parts = subjects.get(topic, ())
        if len(kept) < 2 or candidate.source != "lexicon" or not parts:
            continue
        others = [index.texts.get(t, "") for t in kept if t != topic]
        # A word of another chosen topic is that topic's ("do we leave the towels somewhere?": leaving is check-out's).
        theirs = {w for term in index.terms if term.topic in kept and term.topic != topic for w in term.words}
        # Beside the door, only an entry named by one word that another entry says ("the towels", not "our dog").
        named = [] if topic == "access" else [candidate.matched]
        if any(" " in w for w in named):
            continue
        words = named + [w for text in parts for w in content_words(text, language=language) if w in index.known]
        # A thing another entry names in any of its languages is said by it ("the sheets": the check-out's "bed linen");
        # not the door's, whose keys name what they open ("the key for the bike shed" is no answer about the bikes).
        given = frozenset().union(*(things_named(index.texts.get(t, "")) for t in kept if t not in (topic, "access")))
        if words and all(
            w in theirs or any(mentions(text, w, language) for text in others) or (things_named(w) or {""}) <= given
            for w in words
        ):
            del kept[topic]
    return kept


def said_by_one(
    index: Index, selected: dict[str, Candidate], candidates: Sequence[Candidate], language: str
) -> dict[str, Candidate]:
    """Entries each chosen by a word naming a thing that one entry the whole message ranks first says, in any of
    its languages: that entry answers alone. "we leave on sunday, what do we do with the keys and the rubbish before
    we go?" is answered by the check-out (it says where the keys go and to take out the rubbish), not by the door
    and the bins; "wifi password and the pool hours?" keeps both (no entry says both)."""
    if len(selected) < 2 or any(c.source != "lexicon" or " " in c.matched for c in selected.values()):
        return selected
    best = max((c.score for c in candidates), default=1.0)
    for candidate in candidates:
        if candidate.topic in selected or candidate.source != "lexicon" or candidate.score < best:
            continue
        text = index.texts.get(candidate.topic, "")
        given = things_named(text)
        if all(
            mentions(text, c.matched, language) or (things_named(c.matched) or {""}) <= given for c in selected.values()
        ):
            return {candidate.topic: candidate}
    return selected
