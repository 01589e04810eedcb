"""Offline retrieval: rank a version's entries for a guest message, across languages and misspellings.

Each knowledge version is compiled once into an `Index` (the curated lexicon, the entries' titles and their
distinctive content words), cached by property id and version: versions are immutable, so the cache is never
stale. A message is matched word by word with rapidfuzz's batch `process.extract` against the index's
vocabulary. Every message word is then *claimed* by the topic it supports best, so a word such as "check"
that fits several entries only counts for the one it fits best; a topic needs a word of its own to be
answered, which is also how "wifi and parking?" gets both answers.

The confidence of a topic is calibrated from the kind of evidence: a curated keyword is strong, a title word
less so, a word that only appears in the entry's text is weak on its own (it can ask a clarifying question,
never answer alone). Words of the message that nothing in the knowledge base knows ("babysitter", "boda")
lower the confidence: the guest is probably asking about something else.
"""

import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from concierge.core.text import fold
from knowledge import compounds
from knowledge.index import CJK, COMMON, STOPWORDS, Index, Term, index_for, is_prefix, phrase_pattern, words_of
from knowledge.lexicon import COMMON_BY_LANGUAGE, DATA, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_file
from knowledge.stems import plain_forms, regular_bases, stem

# A fuzzy word match counts from this similarity (0–100): "wiifi"~"wifi" is 89, "pasword"~"password" 93.
WORD_MATCH = 84.0
# Another form of a word of the guest's language, by its stem ("aparco"/"aparcar", "hasła"/"hasło"): stronger than
# a near spelling of some other word ("sieci" ~ "śmieci") and not a guess on a short word, but stems also join
# different words ("vicino"/"vicini": near, neighbours): alone it asks about the topic, with a second word it answers.
STEM_SCORE = 0.68
# A regular form of a word ("cancelled", "parties", "arriving": the word and one of its language's regular endings,
# knowledge/data/inflections.yaml) is that word, not merely a word sharing its stem.
REGULAR_SCORE = 0.95
# A word that starts another ("park" / "parking", "pass" / "password") scores this, when long enough.
PREFIX_SCORE = 0.85
# A longer message word starting with a keyword ("restaurants", "portare"/"porta") may be an inflection or a
# different word: never enough for an answer on its own.
INFLECTION_SCORE = 0.65
# A near match of a short word ("band" for the Dutch "brand", "Traum" for "tram") is as likely another word as a
# typo: it is worth this share of its similarity, enough to ask about the topic, not to answer with it.
SHORT_WORD = 5
SHORT_NEAR = 0.75
NEAR_WORDS_CACHED = 8192  # message words whose near vocabulary words an index remembers
# How much each kind of evidence is worth: the curated lexicon, the entry's title, its own distinctive words.
SOURCE_WEIGHT = {"lexicon": 1.0, "context": 1.0, "title": 0.9, "content": 0.6, "weak": 0.6}
# Below the answer threshold but at least this sure: ask the guest which topic they mean instead of escalating.
CLARIFY_FLOOR = 0.45
# Each message word nothing in the knowledge base knows takes this share off the confidence (at most twice).
UNKNOWN_WORD_PENALTY = 0.1
# Claim bonus per extra word of a matched phrase (decides who owns a word, not the confidence).
PHRASE_BONUS = 0.03
# Two topics within this score on the same word share it: neither owns it outright.
TIE = 0.02
# Set phrases that hold a topic's word without asking about it ("à partir de quelle heure": "partir" is no departure).
# Each language's everyday words, folded: one of them is that word, not another language's keyword ("über"/"uber").
OWN_COMMON = {language: frozenset(fold(w) for w in found) for language, found in COMMON_BY_LANGUAGE.items()}
# Words of the guest's language that are another language's topic word ("brand": a make, not the German fire).
FALSE_FRIENDS = {
    language: frozenset(fold(w) for w in found)
    for language, found in language_file(DATA / "false_friends.yaml", SUPPORTED_LANGUAGES).items()
}
IDIOMS = phrase_pattern(w for found in language_file(DATA / "idioms.yaml", SUPPORTED_LANGUAGES).values() for w in found)
_GAP_WORDS = sorted({fold(w) for found in language_file(DATA / "cjk_gaps.yaml", ("ja", "zh")).values() for w in found})
_HAN = "[\u4e00-\u9fff]"
# A modal word between two Han characters and not beside 不 ("钥匙要放回" holds 钥匙放回; "要不要" keeps its 要).
GAPS = re.compile(f"(?<={_HAN})(?<!不)(?:{'|'.join(sorted(_GAP_WORDS, key=len, reverse=True))})(?!不)(?={_HAN})")


GAPPED = 3  # the shortest phrase matched across a gap: two characters either side of one are a new reading


def without_gaps(folded: str) -> str:
    """The message without the modal words a Chinese guest puts inside a phrase (`knowledge/data/cjk_gaps.yaml`)."""
    return GAPS.sub("", folded)


@dataclass(frozen=True)
class Candidate:
    topic: str
    score: float  # 0..1: calibrated confidence that this entry answers the message
    matched: str  # the lexicon word, title or content word that matched best
    source: str = "lexicon"  # kind of the best evidence: lexicon, context, title, content, weak


@dataclass(frozen=True)
class Ranking:
    """What retrieval concluded: candidates best first, what to answer with, and whether to ask instead."""

    candidates: list[Candidate]
    selected: list[Candidate]
    clarify: list[Candidate]  # set when nothing is sure enough but these are plausible: ask which one


def _word_matches(index: Index, message_tokens: list[str], language: str | None) -> dict[str, tuple[float, str]]:
    """For each vocabulary word the message matches: (similarity 0..1, the message word that matched).

    Exact matches count in every language; near matches (typos, prefixes) only for words of the guest's
    language, English, or the entries' own text: "faire" is a French verb, not a typo of "fire".
    """
    found: dict[str, tuple[float, str]] = {}
    own = {language or "en"}
    near_ok = own | {"en"}  # guests mix in English words; short English words are too easily someone else's
    everyday = OWN_COMMON.get(language or "en", frozenset()) | FALSE_FRIENDS.get(language or "en", frozenset())

    def keep(word: str, score: float, token: str, *, floor: float = 0.0) -> None:
        if token in everyday and not (index.languages.get(word, own) & own):  # German "über" is not "Uber"
            return
        # A short word is only near another of the guest's own language: French "part" is not English "party".
        near = own if len(word) <= 4 or len(token) <= 4 else near_ok
        if score < 1.0 and not (index.languages.get(word, near_ok) & near):
            return
        if score < 1.0 and len(word) <= SHORT_WORD:  # "band"~"brand", "traum"~"tram": ask, never answer on it
            score *= SHORT_NEAR
        score = max(score, floor)
        if score > found.get(word, (0.0, ""))[0]:
            found[word] = (score, token)

    for token in dict.fromkeys(message_tokens):
        key = (token, language)
        near_words = index.near_words.get(key)
        if near_words is None:
            near_words = _near_words(index, token, language)
            if len(index.near_words) >= NEAR_WORDS_CACHED:  # bounded: a worker runs for weeks on one version
                index.near_words.clear()
            index.near_words[key] = near_words
        for word, score, floor in near_words:
            keep(word, score, token, floor=floor)
    return found


def _near_words(index: Index, token: str, language: str | None) -> tuple[tuple[str, float, float], ...]:
    """The vocabulary words one message word may be (word, similarity, floor), before the language filter: the
    same for every message of this knowledge version, so `Index.near_words` remembers them (a fuzzy pass over the
    whole vocabulary per word)."""
    found: list[tuple[str, float, float]] = []
    if token in index.known:
        found.append((token, 1.0, 0.0))
    if len(token) < 4:  # "tem" is not a typo of "trem": short words must match exactly
        return tuple(found)
    # Another form of a word of the guest's language (stems are cached per word) is what the guest wrote:
    # "sieci" is a form of "sieć" (network), not a typo of "śmieci" (rubbish), so near spellings are not tried.
    token_stem = stem(token, language or "en")
    forms = index.stems.get((language or "en", token_stem), frozenset()) if token_stem is not None else ()
    # "Parkplatzgebühr": the parking's fee; "Fußbodenheizung" a heating, even where only an entry's text has the word;
    # a word known in another form is no compound ("Mülltonnen": the bins, not "Müll" beside "Tonnen").
    if not forms and all(index.terms[i].source == "content" for i in index.by_word.get(token, ())):
        found += [(word, score, score) for word, score in compounds.parts(token, language, index.known.__contains__)]
    regular = regular_bases(token, language or "en")
    for word in forms:  # a form that is also a near spelling ("lavatrici"/"lavatrice") counts as one
        near = fuzz.ratio(token, word) / 100.0
        score = near if near >= WORD_MATCH / 100.0 else STEM_SCORE
        found.append((word, max(score, REGULAR_SCORE) if word in regular else score, STEM_SCORE))
    if forms:
        return tuple(found)
    # A diminutive ("basenik", "ręczniczki") is its plain word: as sure as that word when the plain form is one the
    # index holds as it is, else as sure as another form of it ("koszyki" is a basket, no small "kosz", rubbish bin).
    bases = plain_forms(token, language or "en")
    plain = {w: 1.0 if w in bases else STEM_SCORE for b in bases for w in _forms_of(index, b, language or "en")}
    if plain:
        return tuple((*found, *((w, score, STEM_SCORE) for w, score in plain.items())))
    # One C call per message word over the whole vocabulary instead of a Python loop per keyword. An everyday word is
    # spelled as meant: "looking forward to it" is no typo of "cooking".
    for word, similarity, _ in (
        ()
        if token in COMMON
        else process.extract(token, index.vocab, scorer=fuzz.ratio, score_cutoff=WORD_MATCH, limit=None)
    ):
        # "fahren" is no typo of "abfahren"; "apteka" (a pharmacy) none of "apteczka" (a first-aid kit): a plain word
        # is not the diminutive the index holds, whose own meaning is why the lexicon names it
        if not compounds.prefixed(token, word, language) and token not in plain_forms(word, language or "en"):
            found.append((word, similarity / 100.0, 0.0))
    if len(token) >= 5 and not compounds.is_particle(token, language):  # a word cut short: "passw", "checko"
        found += [(word, PREFIX_SCORE, 0.0) for word in index.prefixes.get(token, ())]  # ("binnen": binnenkomen's)
    for length in range(5, len(token)):  # a longer form of a word: "restaurants", "parkeren"
        prefix = token[:length]
        if prefix in index.by_word and is_prefix(prefix, token):
            found.append((prefix, INFLECTION_SCORE, 0.0))
    return tuple(found)


def _forms_of(index: Index, word: str, language: str) -> frozenset[str]:
    """The vocabulary words that are `word` or a form of it in `language`."""
    own = stem(word, language)
    forms = index.stems.get((language, own), frozenset()) if own is not None else frozenset()
    return forms | ({word} if word in index.known else frozenset())


def _knows(index: Index, word: str, language: str | None) -> bool:
    """Whether the index has the word, as it is or as another form of it in the guest's language."""
    return bool(_forms_of(index, word, language or "en"))


def rank_message(index: Index, message: str, *, language: str | None = None) -> list[Candidate]:
    """Topics ranked by calibrated confidence, best first; topics without a word of their own are dropped."""
    folded = fold(message) if IDIOMS is None else IDIOMS.sub(" ", fold(message))
    all_tokens = words_of(folded)
    present = frozenset(all_tokens)
    message_tokens = [t for t in all_tokens if t not in STOPWORDS]
    message_tokens += compounds.joined_verbs(folded, language, lambda w: _knows(index, w, language))
    has_cjk = bool(CJK.search(folded))
    if not message_tokens and not has_cjk:
        return []
    matches = _word_matches(index, message_tokens, language)
    # (topic, message word) → best evidence through that word
    evidence: dict[tuple[str, str], tuple[float, float, str, str]] = {}

    def add(topic: str, token: str, score: float, term: Term, claim: float) -> None:
        if claim > evidence.get((topic, token), (0.0, 0.0, "", ""))[1]:
            evidence[(topic, token)] = (score, claim, term.text, term.source)

    seen_terms = {i for word in matches for i in index.by_word.get(word, ())}
    for i in seen_terms:
        term = index.terms[i]
        if not all(w in matches for w in term.words) or not all(w in present for w in term.exact):
            continue
        score = min(matches[w][0] for w in term.words) * SOURCE_WEIGHT[term.source]
        # A longer phrase explains its words better than a single word does: "beach towels" claims "beach".
        claim = score + PHRASE_BONUS * (len(term.words) + len(term.exact) - 1)
        for word in term.words:
            add(term.topic, matches[word][1], score, term, claim)
    # Across a gap only a phrase of three characters or more: "门要锁吗" (must the door be locked) is no 门锁.
    gapless = without_gaps(folded) if has_cjk else folded
    found_cjk = [
        index.terms[i]
        for i in index.cjk_terms
        if index.terms[i].text in folded or (len(index.terms[i].text) >= GAPPED and index.terms[i].text in gapless)
    ]
    for term in found_cjk:
        # "钥匙盒的密码" (the key box's code) is about the key box, not the Wi-Fi password: the longer match wins.
        if any(term.text in other.text and term.text != other.text for other in found_cjk):
            continue
        score = SOURCE_WEIGHT[term.source]
        add(term.topic, term.text, score, term, score + PHRASE_BONUS * len(term.text))
    # Each message word counts for the topic it supports best; ties are shared (and count less).
    best_by_token: dict[str, float] = {}
    for (_topic, token), (_score, claim, _text, _source) in evidence.items():
        best_by_token[token] = max(best_by_token.get(token, 0.0), claim)
    owned: dict[str, list[tuple[float, str, str]]] = {}
    for (topic, token), (score, claim, text, source) in evidence.items():
        best = best_by_token[token]
        if claim >= best - TIE:
            sharers = sum(1 for (_t, tok), ev in evidence.items() if tok == token and ev[1] >= best - TIE)
            owned.setdefault(topic, []).append((score * (0.8 if sharers > 1 else 1.0), text, source))
    explained = {token for (_topic, token) in evidence}
    unknown = [
        t
        for t in message_tokens
        if t not in explained and len(t) >= 4 and t.isalpha() and t not in COMMON and not CJK.search(t)
    ]
    penalty = 1.0 - UNKNOWN_WORD_PENALTY * min(len(unknown), 2)
    candidates = []
    for topic, found in owned.items():
        found.sort(reverse=True)
        confidence = 1.0
        for score, _text, _source in found[:3]:  # independent words agree: combine like independent evidence
            confidence *= 1.0 - score
        confidence = (1.0 - confidence) * penalty
        _score, text, source = found[0]
        candidates.append(Candidate(topic, round(min(confidence, 1.0), 3), matched=text, source=source))
    # On a tie the subject ("airport") ranks before the circumstance ("arrive").
    return sorted(candidates, key=lambda c: (-c.score, c.source == "context", c.topic))


def rank(
    entries: list[dict[str, Any]],
    message: str,
    *,
    key: tuple[int, int] | None = None,
    language: str | None = None,
) -> list[Candidate]:
    """Entries ranked by how well they answer the message, best first (index cached per version by `key`)."""
    return rank_message(index_for(entries, key=key), message, language=language)


def select(candidates: list[Candidate], *, threshold: float, most: int = 3) -> list[Candidate]:
    """The candidates to answer with: every one at or above the threshold, up to `most`."""
    return [c for c in candidates if c.score >= threshold][:most]


def decide(candidates: list[Candidate], *, threshold: float) -> Ranking:
    """Answer with the sure candidates; else ask about the plausible ones; else nothing (escalate)."""
    selected = select(candidates, threshold=threshold)
    # "arrive", "llegar": an answer on their own, but beside another subject they only say when or how.
    selected = selected[:1] + [c for c in selected[1:] if c.source != "context"]
    clarify = [] if selected else [c for c in candidates if c.score >= CLARIFY_FLOOR][:2]
    return Ranking(candidates=candidates, selected=selected, clarify=clarify)
