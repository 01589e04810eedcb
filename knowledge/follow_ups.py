"""Follow-ups: a short message without a topic of its own that refers back is about the previous answer.

"And the password?", "how much per day?", "e le chiavi?", "瓶は？": the guest continues the conversation. Such a
message is resolved against the topic of the conversation's last answer when it names nothing at all, only asks more
(when, how long, how much: `follow_up_words` of the lexicon), or names something that entry mentions. What an entry
mentions is told in two ways: the same word in its text (same language), or the same thing of
`knowledge/data/things.yaml` in any of its languages ("chiavi" and "keys"), so an entry written only in English
still answers an Italian "and the keys?". Naming something the entry does not mention is a new question.
"""

import re
from collections.abc import Sequence
from functools import cache

from concierge.core.text import fold
from knowledge.index import CJK, COMMON, STOPWORDS, Index, words_of
from knowledge.lexicon import DATA, FOLLOW_UP_WORDS, SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_file, language_words, load_yaml_data, mapping
from knowledge.retrieval import Candidate

CONJUNCTIONS: dict[str, tuple[str, ...]] = language_file(DATA / "conjunctions.yaml", SUPPORTED_LANGUAGES)
FOLLOW_UPS = frozenset(fold(w) for w in FOLLOW_UP_WORDS)
FOLLOW_UPS_CJK = tuple(w for w in FOLLOW_UPS if CJK.search(w))
FOLLOW_UP_WORDS_MOST = 10  # a follow-up is short: "and how long does that take more or less"
FOLLOW_UP_CJK_MOST = 15  # characters of a Japanese or Chinese follow-up ("何時まで使えますか？")
CONTINUES_WORDS_MOST = 8  # "and the bed linen, where do we leave it?"
_THINGS_PATH = DATA / "things.yaml"


def _load_things() -> tuple[dict[str, tuple[str, ...]], dict[str, frozenset[str]]]:
    """The endings that ask "and the …?" per language, and each thing's words in every language (folded)."""
    node = mapping(_THINGS_PATH, load_yaml_data(_THINGS_PATH), ["endings", "things"], "section")
    endings = language_words(_THINGS_PATH, node["endings"], SUPPORTED_LANGUAGES, required=False)
    things = mapping(_THINGS_PATH, node["things"], [str(k.value) for k, _ in node["things"].value], "thing")
    return endings, {
        name: frozenset(fold(w) for ws in language_words(_THINGS_PATH, by, SUPPORTED_LANGUAGES).values() for w in ws)
        for name, by in things.items()
    }


ENDINGS, THINGS = _load_things()


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


def refers_back(message: str, language: str) -> bool:
    """Whether the message starts with a conjunction of its language ("and the detergent?", "e seca também?") or, in
    Japanese and Chinese, ends asking "and the …?" ("瓶は？", "玻璃呢？")."""
    pattern = conjunction(language)
    text = message.strip()
    return bool(pattern and pattern.match(text)) or any(text.endswith(e) for e in ENDINGS.get(language, ()))


@cache
def _thing_patterns() -> dict[str, re.Pattern[str]]:
    patterns = {}
    for name, names in THINGS.items():
        plain = "|".join(re.escape(w) for w in sorted(names, key=len, reverse=True) if not CJK.search(w))
        cjk = "|".join(re.escape(w) for w in names if CJK.search(w))
        patterns[name] = re.compile("|".join(p for p in (rf"(?<!\w)(?:{plain})(?!\w)" if plain else "", cjk) if p))
    return patterns


def things_named(text: str) -> frozenset[str]:
    """The things of `things.yaml` a text names, in any language ("e le chiavi?" → keys)."""
    folded = fold(text)
    return frozenset(name for name, pattern in _thing_patterns().items() if pattern.search(folded))


def _said(index: Index, topic: str, named: Sequence[str]) -> set[str]:
    """The named words the topic's entry uses itself (or a longer form of: "detergent" → "detergents")."""
    text_words = set(words_of(index.texts[topic]))
    return {w for w in named if w in text_words or (len(w) >= 5 and any(t.startswith(w[:5]) for t in text_words))}


def follow_up(index: Index, message: str, previous: Sequence[str], language: str) -> Candidate | None:
    """The previous answer's topic, for a short message that has none of its own and refers back to it: it names
    something that entry mentions ("and the detergent?" after the washing machine), only asks more about it ("how
    much per day?", "一天多少钱？"), or names nothing at all after "and" ("and how?"). Naming something the entry
    does not mention is a new question, never the same entry again (unless the entry is not written in the guest's
    language and the message refers back: "e seca?")."""
    if not previous or previous[0] not in index.texts:
        return None
    topic = previous[0]
    back = refers_back(message, language)
    if CJK.search(message):
        short = len(re.sub(r"\W", "", message)) <= FOLLOW_UP_CJK_MOST
        folded = fold(message)
        asks_more = any(w in folded for w in FOLLOW_UPS_CJK)
        mentioned = bool(things_named(message) & things_named(index.texts[topic]))
        return _context(topic) if short and (asks_more or back or mentioned) else None
    if len(words_of(message)) > FOLLOW_UP_WORDS_MOST:
        return None
    named = [w for w in words_of(message) if w not in STOPWORDS and w not in COMMON and len(w) >= 3]
    said = _said(index, topic, named)
    things = things_named(message)
    shared = bool(things & things_named(index.texts[topic]))
    unreadable = language not in index.written_in.get(topic, frozenset())
    # "from what time?", "how much per day": a question that names nothing but when, how long or how much.
    asking = any(w in FOLLOW_UPS for w in words_of(message))
    more = all(w in said or w in FOLLOW_UPS for w in named) and (back or "?" in message or asking)
    refers = bool(said) or shared or more or ((not named or unreadable) and back)
    return _context(topic) if refers else None


def continues(
    index: Index, message: str, candidates: list[Candidate], previous: Sequence[str], language: str
) -> Candidate | None:
    """ "And the bed linen?" right after the check-out answer, whose text says what to do with the bed linen: the
    guest continues the conversation, so the previous entry answers, not the entry the word names in general. The
    entry says it in the guest's words, or names the same thing in another of its languages ("e le chiavi?")."""
    if not previous or previous[0] not in index.texts or not candidates or candidates[0].topic == previous[0]:
        return None
    size = len(re.sub(r"\W", "", message)) // 2 if CJK.search(message) else len(words_of(message))
    if size > CONTINUES_WORDS_MOST or not refers_back(message, language):
        return None
    text = index.texts[previous[0]]
    text_words = set(words_of(text))
    said = {w for w in words_of(message) if len(w) >= 3 and w not in STOPWORDS and w in text_words}
    if said and set(words_of(candidates[0].matched)) <= said:
        return _context(previous[0])
    matched = things_named(candidates[0].matched)
    if matched and matched <= things_named(text):
        return _context(previous[0])
    return None


def _context(topic: str) -> Candidate:
    return Candidate(topic, 0.75, matched="(follow-up)", source="context")
