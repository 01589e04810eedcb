"""Follow-ups: a short message without a topic of its own that refers back is about the previous answer.

"And the password?", "how much per day?", "e le chiavi?", "瓶は？": the guest continues the conversation. Such a
message is resolved against the topic of the conversation's last answer when it names nothing at all, only asks more
(when, how long, how much: `follow_up_words` of the lexicon), or names something that entry mentions. What an entry
mentions is told in two ways: the same word in its text (same language), or the same thing of
`knowledge/data/things.yaml` in any of its languages ("chiavi" and "keys"), so an entry written only in English
still answers an Italian "and the keys?". Naming something the entry does not mention is a new question.

A message also refers back when it points at what was just said (a pronoun, a demonstrative, "what do we do with":
`pointers` of `knowledge/data/follow_ups.yaml`: "is it far?", "the ones for the beach"). What a follow-up asks must
be in the entry: a kind of detail (a price, a time of day, a duration or distance: `details`) the entry's text holds,
or a word it says. A follow-up asking what the entry does not hold ("how long does a wash take?", "is it heated?"
after the pool) is a question for a person, never the same entry quoted again (`read_follow_up`).
"""

import re
from collections.abc import Sequence
from functools import cache

from concierge.core.text import fold
from knowledge import measures
from knowledge.index import CJK, COMMON, STOPWORDS, Index, Phrases, detail_kinds, phrase_pattern, words_of
from knowledge.lexicon import DATA, FOLLOW_UP_WORDS, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_file, language_words, load_yaml_data, mapping
from knowledge.options import topic_words
from knowledge.retrieval import Candidate
from knowledge.stems import stem
from knowledge.things import ENDINGS, own_words, things_named

CONJUNCTIONS: dict[str, tuple[str, ...]] = language_file(DATA / "conjunctions.yaml", SUPPORTED_LANGUAGES)
FOLLOW_UPS = frozenset(fold(w) for w in FOLLOW_UP_WORDS)
FOLLOW_UPS_CJK = tuple(w for w in FOLLOW_UPS if CJK.search(w))
FOLLOW_UP_WORDS_MOST = 10  # a follow-up is short: "and how long does that take more or less"
FOLLOW_UP_CJK_MOST = 15  # characters of a Japanese or Chinese follow-up ("何時まで使えますか？")
CONTINUES_WORDS_MOST = 8  # "and the bed linen, where do we leave it?"
RESTATED_WORDS_MOST = 16  # "it keeps dropping out every few minutes, anything I can do?" after the wifi answer


_FOLLOW_UPS_PATH = DATA / "follow_ups.yaml"


def _load_follow_ups() -> tuple[
    Phrases, Phrases, Phrases, Phrases, frozenset[str], dict[str, Phrases], dict[str, re.Pattern[str]]
]:
    """The pointers, not-pointers, "is there" and acknowledgements per language, the plain words (no subject), each
    detail kind's questions per language and how an entry's folded text shows that it holds that kind of detail."""
    sections = ["pointers", "not_pointers", "there_is", "acknowledgements", "plain", "details"]
    node = mapping(_FOLLOW_UPS_PATH, load_yaml_data(_FOLLOW_UPS_PATH), sections, "section")
    pointers = language_words(_FOLLOW_UPS_PATH, node["pointers"], SUPPORTED_LANGUAGES)
    not_pointers = language_words(_FOLLOW_UPS_PATH, node["not_pointers"], SUPPORTED_LANGUAGES, required=False)
    there_is = language_words(_FOLLOW_UPS_PATH, node["there_is"], SUPPORTED_LANGUAGES)
    acks = language_words(_FOLLOW_UPS_PATH, node["acknowledgements"], SUPPORTED_LANGUAGES)
    plain = frozenset(
        fold(w)
        for ws in language_words(_FOLLOW_UPS_PATH, node["plain"], SUPPORTED_LANGUAGES, required=False).values()
        for w in ws
    )
    asks, holds = detail_kinds(
        _FOLLOW_UPS_PATH, node["details"], ["price", "time", "duration", "count", "frequency", "day", "trouble"]
    )
    return (
        {language: phrase_pattern(found) for language, found in pointers.items()},
        {language: phrase_pattern(found) for language, found in not_pointers.items()},
        {language: phrase_pattern(found) for language, found in there_is.items()},
        {language: phrase_pattern(found) for language, found in acks.items()},
        plain,
        asks,
        holds,
    )


POINTERS, NOT_POINTERS, THERE_IS, ACKNOWLEDGEMENTS, PLAIN, _DETAIL_ASKS, _DETAIL_HOLDS = _load_follow_ups()
# The figures of `measures.yaml` are details too ("冬は何度？" after the air conditioning: a temperature, which its
# entry holds as "21 °C"; "how deep is it?" after the pool, which it does not), but for the price and the hours,
# which the details above already ask as price, time and day ("c'est payant le dimanche ?": a price and a day).
_OWN_KINDS = frozenset({"price", "hours"})
ASKS: dict[str, Phrases] = {
    **_DETAIL_ASKS,
    **{f"figure:{k}": v for k, v in measures.ASKS.items() if k not in _OWN_KINDS},
}
HOLDS: dict[str, re.Pattern[str]] = {
    **_DETAIL_HOLDS,
    **{f"figure:{k}": v for k, v in measures.HOLDS.items() if k not in _OWN_KINDS},
}


def _conjunction(language: str) -> re.Pattern[str] | None:
    words = CONJUNCTIONS.get(language, ())
    if not words:
        return None
    joined = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    if CJK.search(joined):
        return re.compile(f"(?:{joined})")
    return re.compile(rf"(?<!\w)(?:{joined})(?!\w)", re.IGNORECASE)


def conjunction(language: str) -> re.Pattern[str] | None:
    """The conjunctions that join two questions in `language` ("and", "y", "und"), as one pattern (cached)."""
    return _conjunctions().get(language)


@cache
def _conjunctions() -> dict[str, re.Pattern[str] | None]:
    return {language: _conjunction(language) for language in SUPPORTED_LANGUAGES}


_OPENING = re.compile(r"^[\W_]+")  # "¿y el coche?", "« et les clés ? »", "- and the code?"


def without_acknowledgement(message: str, language: str) -> str:
    """The message without the acknowledgement it opens with ("ok and what about sunday?", "great, and when …",
    "cheers. it keeps cutting out"; `acknowledgements` of follow_ups.yaml, in its language or English), when one is
    followed by a punctuation mark, another one or the language's "and": the guest goes on, and what follows is read
    as the follow-up it is. A message that is nothing else is returned as it is ("perfect thanks 🙏")."""
    folded = fold(message).strip()
    patterns = [p for lang in dict.fromkeys((language, "en")) if (p := ACKNOWLEDGEMENTS.get(lang)) is not None]
    joined = conjunction(language)
    rest = folded
    while found := next((m for p in patterns if (m := p.match(rest)) is not None and m.start() == 0), None):
        tail = rest[found.end() :]
        if tail[:1].isalnum() and not CJK.match(tail):  # "okay" is not "ok" + "ay", "good restaurants" asks
            break
        after = tail.lstrip()
        if after and not after[0].isalnum():  # "ok, …", "thanks! …", "perfect 🙏 …", "了解です。…"
            rest = _OPENING.sub("", after)
        elif any(p.match(after) for p in patterns) or (joined is not None and joined.match(after)):
            rest = after  # "ok thanks, …", "ok and …"
        else:
            break
    return rest if rest != folded and any(c.isalnum() for c in rest) else message


def refers_back(message: str, language: str) -> bool:
    """Whether the message starts with a conjunction of its language ("and the detergent?", "¿y el vidrio?") or, in
    Japanese and Chinese, ends asking "and the …?" ("瓶は？", "玻璃呢？")."""
    pattern = conjunction(language)
    text = without_acknowledgement(message, language).strip()
    opened = _OPENING.sub("", text) if not CJK.match(text) else text
    return bool(pattern and pattern.match(opened)) or any(text.endswith(e) for e in ENDINGS.get(language, ()))


def _pointers(message: str, language: str) -> list[str]:
    """The words of the message that point back, in its language or English, not inside "is there" or "il y a"."""
    folded = fold(message)
    found: list[str] = []
    for lang in dict.fromkeys((language, "en")):
        hidden, pattern = NOT_POINTERS.get(lang), POINTERS.get(lang)
        if pattern is not None:
            found.extend(m.group(0) for m in pattern.finditer(hidden.sub(" ", folded) if hidden else folded))
    return found


def points_back(message: str, language: str) -> bool:
    """Whether the message points at what was just said: a pronoun, a demonstrative or "what do we do with" of its
    language or English ("is it far?", "il est où ?", "タオルはどうすればいいですか？"), not "is there" or "il y a"."""
    return bool(_pointers(message, language))


def details_asked(message: str, language: str) -> dict[str, list[str]]:
    """The kinds of detail the message asks for (a price, a time of day, a duration or distance, how often, a day),
    each with the words that ask it, in the message's language or English ("how much per day?" → price: "how much").
    A word inside a longer phrase of another kind asks that kind only ("cada cuánto": how often, not how much)."""
    folded = fold(message)
    spans = [
        (kind, m.start(), m.end())
        for kind, by_language in ASKS.items()
        for lang in dict.fromkeys((language, "en"))
        if (pattern := by_language.get(lang)) is not None
        for m in pattern.finditer(folded)
    ]
    found: dict[str, list[str]] = {}
    for kind, start, end in spans:
        if not any(k != kind and s <= start and end <= e and e - s > end - start for k, s, e in spans):
            found.setdefault(kind, []).append(folded[start:end])
    return found


def holds(text: str, kind: str) -> bool:
    """Whether an entry's (folded) text holds a detail of that kind: a price, a time of day, a duration."""
    return HOLDS[kind].search(text) is not None


def _said(text: str, message: str, named: Sequence[str], language: str) -> set[str]:
    """The named words the entry's text uses itself, or another form of ("detergent" → "detergents", "locks" →
    "lock")."""
    text_words = own_words(text, message)
    stems = {stem(t, language) for t in text_words} - {None}
    return {
        w
        for w in named
        if w in text_words
        or (len(w) >= 5 and any(t.startswith(w[:5]) for t in text_words))
        or (stem(w, language) or "") in stems
    }


def _there_is(message: str, language: str) -> set[str]:
    """The words that ask whether there is something ("are there …", "hay …", "c'è …"), in the message's language."""
    pattern = THERE_IS.get(language)
    return {w for m in pattern.finditer(fold(message)) for w in words_of(m.group(0))} if pattern is not None else set()


def read_follow_up(index: Index, message: str, previous: Sequence[str], language: str) -> list[str] | None:
    """Whether a short message with no topic of its own is a follow-up on the previous answer, and if so what it asks
    that the previous entry does not hold (empty: the entry answers it); None when it is no follow-up.

    A follow-up names something that entry mentions ("and the detergent?" after the washing machine), only asks more
    about it ("how much per day?", "一天多少钱？", "is it far?"), or names nothing at all after "and" ("and how?").
    Naming something the entry does not mention is a new question, never the same entry again (unless the entry is
    not written in the guest's language and the message refers back: "e seca?"), and so is a kind of detail the
    entry does not hold. A message that points back at the entry ("is it heated?", "how deep is it?") and asks what
    it does not say is a follow-up the entry cannot answer: a person answers."""
    if not previous or previous[0] not in index.texts:
        return None
    topic = previous[0]
    text = index.texts[topic]
    message = without_acknowledgement(message, language)  # "ok and what about sunday, can we stay a bit longer?"
    back = refers_back(message, language)
    pointers = _pointers(message, language)
    pointing = bool(pointers)
    asked = details_asked(message, language)
    # A question asks one detail, whatever words it takes ("how long till it's warm?": a duration, not a time of
    # day; "ile": how much or how long): the entry answers it when it holds any of the kinds asked.
    held = any(holds(text, kind) for kind in asked)
    unheld = [] if held else list(dict.fromkeys(w for found in asked.values() for w in found))
    if CJK.search(message):
        short = len(re.sub(r"\W", "", message)) <= FOLLOW_UP_CJK_MOST
        folded = fold(message)
        asks_more = bool(asked) or any(w in folded for w in FOLLOW_UPS_CJK)
        mentioned = bool(things_named(message) & things_named(text))
        return unheld if short and (asks_more or back or mentioned or pointing) else None
    shared = bool(things_named(message) & things_named(text))
    # A longer message is a follow-up only when it points back at a thing the entry names ("cool and is there soap
    # for it or do i need to buy some" after the washing machine): otherwise it carries a subject of its own.
    restated = len(words_of(message)) > FOLLOW_UP_WORDS_MOST and not (shared and (pointing or back))
    if restated and (len(words_of(message)) > RESTATED_WORDS_MOST or not (pointing or back)):
        return None
    explained = {w for phrase in [*pointers, *(w for found in asked.values() for w in found)] for w in words_of(phrase)}
    named = [w for w in words_of(message) if w not in STOPWORDS and w not in COMMON and len(w) >= 3]
    said = _said(text, message, named, language)
    unreadable = language not in index.written_in.get(topic, frozenset())
    # "from what time?", "how much per day": a question that names nothing but when, how long or how much.
    asking = bool(asked) or any(w in FOLLOW_UPS for w in words_of(message))
    own = topic_words(index, topic)  # "what about a cat?" after the pets answer: the topic's own word
    loose = [w for w in named if w not in said and w not in FOLLOW_UPS | PLAIN and w not in explained and w not in own]
    more = not loose and (back or pointing or "?" in message or asking)
    if restated and (not said or len(loose) > 1):  # a longer one restates the entry's words, at most one new
        return None
    # An entry the guest cannot read is still continued by "and …?" ("e seca?"), unless the message names a thing it
    # does not ("y juegos de mesa para los niños?" after the washing machine: a new subject).
    foreign = things_named(message) - things_named(text)
    there = _there_is(message, language)
    unnamed = [w for w in loose if not things_named(w) and w not in there]  # "il y a un cendrier ?": the entry's
    if shared and not said and unnamed and not (back or pointing) and there:
        return None  # "are there helmets for the kids?" after the bikes with a child seat: the helmets are asked
    if foreign and not shared:  # "any for small kids?" after the board games: a new question about the children,
        return None  # whatever word of the entry it also says (its "one small towel")
    if said and there and len(loose) > len(said):  # "is there a bike repair shop in the village?"
        return loose  # after the bikes: whether there is something else, in more new words than the entry's: a person
    if bool(said) or shared or more or ((not named or unreadable) and back and not foreign):
        return unheld
    return loose if pointing and not shared else None


def continues(
    index: Index, message: str, candidates: list[Candidate], previous: Sequence[str], language: str
) -> Candidate | None:
    """ "And the bed linen?" right after the check-out answer, whose text says what to do with it: the guest goes on, so
    the previous entry answers, not the entry the word names in general, in the guest's words or another language."""
    if not previous or previous[0] not in index.texts or not candidates or candidates[0].topic == previous[0]:
        return None
    message = without_acknowledgement(message, language)  # "great, and when do we get the door details?"
    size = len(re.sub(r"\W", "", message)) // 2 if CJK.search(message) else len(words_of(message))
    text, named = index.texts[previous[0]], {w for w in words_of(message) if len(w) >= 3 and w not in STOPWORDS}
    said = named & own_words(text, message)  # the entry just read says each thing it names: "and" is implied
    other = own_words(index.texts.get(candidates[0].topic, ""), message)  # the entry the words name in general
    whole = len(said) >= 2 and not named - said - COMMON - PLAIN - FOLLOW_UPS and not said <= other  # "Strandtücher"
    if size > CONTINUES_WORDS_MOST or not (whole or refers_back(message, language) or points_back(message, language)):
        return None
    if said and set(words_of(candidates[0].matched)) <= said:
        return in_context(previous[0])
    matched = things_named(candidates[0].matched)
    if matched and matched <= things_named(text):
        return in_context(previous[0])
    return None


def _grounds(index: Index, message: str, topic: str, language: str) -> bool:
    """Whether the topic's entry holds a kind of detail the message asks, names a thing it names or says a word of it
    ("from what time?" and the quiet hours' "22:00"; "can the kids go in alone" and the hot tub's "children")."""
    text = index.texts[topic]
    message = without_acknowledgement(message, language)
    if any(holds(text, kind) for kind in details_asked(message, language)) or things_named(message) & things_named(
        text
    ):
        return True
    named = [w for w in words_of(message) if w not in STOPWORDS and w not in COMMON and w not in PLAIN and len(w) >= 3]
    return bool(_said(text, message, named, language))


def earlier_topic(
    index: Index, message: str, previous: Sequence[str], considered: Sequence[str], language: str
) -> str | None:
    """The earlier topic a message nothing else answers continues: the last answer's topic (`previous`), or else the
    one topic the guest's previous message was ranked for (`considered`) that holds what this one asks, even when
    that message was handed to a person ("where do we leave the key?" → the key safe; "and by what time again?" → the
    check-out, which says it). The message must read as a follow-up on it (`read_follow_up`: short, no subject of
    its own, the entry holds what it asks) and be grounded in its entry; two considered topics that both would be
    are a guess ("how much is it?" after "check-out or luggage?"): none, a person answers."""

    def continued(topic: str) -> bool:
        return (
            topic in index.texts
            and read_follow_up(index, message, [topic], language) == []
            and _grounds(index, message, topic, language)
        )

    if previous and continued(previous[0]):
        return previous[0]
    answered = [topic for topic in dict.fromkeys(previous[1:]) if continued(topic)]  # the last reply quoted two
    if answered:
        return answered[0] if len(answered) == 1 else None
    found = [topic for topic in dict.fromkeys(considered) if topic not in previous[:1] and continued(topic)]
    return found[0] if len(found) == 1 else None


def in_context(topic: str) -> Candidate:
    """The previous answer's topic, as the candidate a follow-up resolves to."""
    return Candidate(topic, 0.75, matched="(follow-up)", source="context")
