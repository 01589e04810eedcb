"""The offline index of a knowledge version: the curated lexicon's words, titles and distinctive content words.

Built once per property version and cached (versions are immutable); `knowledge/retrieval.py` ranks with it.
"""

import copy
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yaml.nodes import Node

from concierge.core.text import fold
from knowledge.lexicon import (
    COMMON_WORDS,
    CONCEPTS,
    CONTEXT_KEYWORDS,
    FUNCTION_WORDS,
    KEYWORDS,
    SHARED_FUNCTION_WORDS,
    SUPPORTED_LANGUAGES,
    WEAK_KEYWORDS,
)
from knowledge.lexicon_data import language_file, language_words, load_yaml_data, mapping
from knowledge.lexicon_data import words as data_words
from knowledge.stems import stem

TOKEN = re.compile(r"\w+(?:[-']\w+)*", re.UNICODE)  # "check-in" stays one word
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Where a Latin word meets Japanese or Chinese ("hot tubは", "wifiのパスワード"): \w joins the scripts into one token.
_SCRIPTS = re.compile(
    r"(?<=[^\W\u3040-\u30ff\u4e00-\u9fff])(?=[\u3040-\u30ff\u4e00-\u9fff])"
    r"|(?<=[\u3040-\u30ff\u4e00-\u9fff])(?=[^\W\u3040-\u30ff\u4e00-\u9fff])"
)
STOPWORDS = frozenset(fold(w) for words in (*FUNCTION_WORDS.values(), SHARED_FUNCTION_WORDS) for w in words)
COMMON = frozenset(fold(w) for w in COMMON_WORDS)
WEAK = frozenset(fold(w) for w in WEAK_KEYWORDS)
CONTEXT_WORDS = frozenset(fold(w) for w in CONTEXT_KEYWORDS)
_ELIDED = 4  # "l'", "dall'", "qu'": an elided article or preposition glued to the next word
_CLITICS_PATH = Path(__file__).parent / "data" / "clitics.yaml"
CLITICS = frozenset(fold(w) for w in data_words(_CLITICS_PATH, load_yaml_data(_CLITICS_PATH)))  # "wifi's": "wifi"
_CLITIC_HEAD = 3  # "it's", "we're": too short a word to read on its own


@dataclass(frozen=True)
class Term:
    topic: str
    words: tuple[str, ...]  # content words, fuzzy-matched
    exact: tuple[str, ...]  # function words inside a phrase ("check in"): must appear as they are
    source: str
    text: str  # what the trace shows as "matched"
    cjk: bool  # Japanese/Chinese phrase: matched as a substring (no word boundaries)


@dataclass
class Index:
    """One knowledge version compiled for matching (built once per property version)."""

    terms: list[Term]
    vocab: list[str]  # words longer than 3 letters: fuzzy and prefix matched
    languages: dict[str, frozenset[str]]  # lexicon word → its languages ("*": the entry's own title or text)
    known: frozenset[str]  # every word of every term
    by_word: dict[str, list[int]]  # word → terms using it
    prefixes: dict[str, frozenset[str]]  # a prefix → vocabulary words starting with it
    cjk_terms: list[int]
    topics: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # topic → its content in every language, folded
    written_in: dict[str, frozenset[str]] = field(default_factory=dict)  # topic → the languages of its content
    stems: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)  # (language, stem) → vocabulary words
    # (message word, language) → the vocabulary words it may be, found once per index (retrieval._near_words)
    near_words: dict[tuple[str, str | None], tuple[tuple[str, float, float], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )


def phrase_pattern(found: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for folded words and phrases: whole words, and Japanese or Chinese ones anywhere."""
    ordered = sorted({fold(w) for w in found}, key=len, reverse=True)
    plain = "|".join(re.escape(w) for w in ordered if not CJK.search(w))
    cjk = "|".join(re.escape(w) for w in ordered if CJK.search(w))
    joined = "|".join(p for p in (rf"(?<!\w)(?:{plain})(?!\w)" if plain else "", cjk) if p)
    return re.compile(joined) if joined else None


Phrases = dict[str, re.Pattern[str] | None]  # language → one pattern for its words and phrases


def language_patterns(path: Path) -> Phrases:
    """A data file of words and phrases per language (why_questions.yaml, where_questions.yaml…) as one pattern each."""
    return {language: phrase_pattern(found) for language, found in language_file(path, SUPPORTED_LANGUAGES).items()}


def detail_kinds(path: Path, node: Node, kinds: Sequence[str]) -> tuple[dict[str, Phrases], dict[str, re.Pattern[str]]]:
    """A data file's kinds of detail: each kind's questions per language (`asks`), and how an entry's folded text
    shows that it holds one (`holds`, regular expressions): follow_ups.yaml's details, measures.yaml's figures."""
    asks: dict[str, Phrases] = {}
    holds: dict[str, re.Pattern[str]] = {}
    for kind, detail in mapping(path, node, list(kinds), "kind").items():
        parts = mapping(path, detail, ["asks", "holds"], "part")
        by_language = language_words(path, parts["asks"], SUPPORTED_LANGUAGES)
        asks[kind] = {language: phrase_pattern(found) for language, found in by_language.items()}
        holds[kind] = re.compile("|".join(data_words(path, parts["holds"])))
    return asks, holds


def words_of(text: str) -> list[str]:
    """Folded words of a text; "dall'aeroporto" also yields "aeroporto"."""
    found = []
    for word in TOKEN.findall(_SCRIPTS.sub(" ", fold(text))):
        found.append(word)
        head, _, tail = word.rpartition("'")
        if head and len(head) <= _ELIDED and len(tail) >= 3:
            found.append(tail)
        elif tail in CLITICS and len(head) > _CLITIC_HEAD and "'" not in head:
            found.append(head)
    return found


def tokens(text: str) -> list[str]:
    """Folded words of a text, without the most common function words."""
    return [t for t in words_of(text) if t not in STOPWORDS]


def is_prefix(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and 2 * len(short) >= len(long) and long.startswith(short)


def build_index(entries: list[dict[str, Any]]) -> Index:
    """Compile entries into an index: lexicon keywords, title words and distinctive content words."""
    terms: list[Term] = []
    languages: dict[str, set[str]] = {}
    for entry in entries:
        topic = entry["topic"]
        for language, keywords in KEYWORDS.get(topic, {}).items():
            for keyword in keywords:
                for word in TOKEN.findall(fold(keyword)):
                    languages.setdefault(word, set()).add(language)
        for keyword in sorted({fold(k) for words in KEYWORDS.get(topic, {}).values() for k in words}):
            source = "weak" if keyword in WEAK else "context" if keyword in CONTEXT_WORDS else "lexicon"
            terms.append(_term(topic, keyword, source))
        for language, keywords in (entry.get("keywords") or {}).items():  # the owner's own words: as strong
            for keyword in keywords:
                terms.append(_term(topic, fold(keyword), "lexicon"))
                for word in TOKEN.findall(fold(keyword)):
                    languages.setdefault(word, set()).add(language)
        if topic not in KEYWORDS:  # a custom topic about a thing of the concept list: every language's words for it
            for language, keyword in _concept_words(entry):
                terms.append(_term(topic, keyword, "lexicon"))
                for word in TOKEN.findall(keyword):
                    languages.setdefault(word, set()).add(language)
        original = next(iter(entry["content"]), "*")  # titles are written in the entry's original language
        for word in (w for w in tokens(entry["title"]) if w not in COMMON):  # "Bags before and after": bags
            terms.append(_term(topic, word, "title"))
            languages.setdefault(word, set()).add(original)
        distinctive = distinctive_content_words(entries).get(topic, set())
        for language, text in entry["content"].items():
            for word in sorted(set(tokens(text)) & distinctive):
                terms.append(_term(topic, word, "content"))
                languages.setdefault(word, set()).add(language)
    terms = [t for t in terms if t.words or t.cjk]
    by_word: dict[str, list[int]] = {}
    cjk_terms = []
    for i, term in enumerate(terms):
        if term.cjk:
            cjk_terms.append(i)
            continue
        for word in term.words:
            by_word.setdefault(word, []).append(i)
    vocab = sorted(w for w in by_word if len(w) > 3)
    # Each word by its stem in each language it is written in ("hasło": Polish); arrival and request words
    # ("arrive", "recommend") only count as they are: their other forms say even less.
    strong = {w for term in terms if term.source not in ("context", "weak") for w in term.words}
    stems: dict[tuple[str, str], set[str]] = {}
    for word in (w for w in vocab if w in strong):
        for language in languages.get(word, ()):
            found = stem(word, language)
            if found is not None:
                stems.setdefault((language, found), set()).add(word)
    prefixes: dict[str, set[str]] = {}
    for word in vocab:
        for length in range(max(4, (len(word) + 1) // 2), len(word)):
            prefixes.setdefault(word[:length], set()).add(word)
    return Index(
        terms=terms,
        vocab=vocab,
        languages={w: frozenset(langs) for w, langs in languages.items()},
        known=frozenset(by_word),
        by_word=by_word,
        prefixes={p: frozenset(ws) for p, ws in prefixes.items()},
        cjk_terms=cjk_terms,
        topics=[e["topic"] for e in entries],
        texts={e["topic"]: fold(" ".join(e["content"].values())) for e in entries},
        written_in={e["topic"]: frozenset(e["content"]) for e in entries},
        stems={key: frozenset(words) for key, words in stems.items()},
    )


def _concept_words(entry: dict[str, Any]) -> list[tuple[str, str]]:
    """(language, word) of every concept the entry's title, keywords or text name ("the hot tub on the terrace")."""
    keywords = [k for ks in (entry.get("keywords") or {}).values() for k in ks]
    own = [entry["title"], *entry["content"].values(), *keywords]
    text = fold(" ".join(own))
    found = []
    for by_language in CONCEPTS.values():
        names = {fold(w) for ws in by_language.values() for w in ws}
        if any((w in text) if CJK.search(w) else re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text) for w in names):
            found += [(language, fold(w)) for language, ws in by_language.items() for w in ws]
    return found


def _term(topic: str, phrase: str, source: str) -> Term:
    if CJK.search(phrase):
        return Term(topic, (), (), source, phrase, cjk=True)
    words = TOKEN.findall(phrase)
    content = tuple(w for w in words if w not in STOPWORDS)
    exact = tuple(w for w in words if w in STOPWORDS) if content else ()
    return Term(topic, content or tuple(words), exact, source, phrase, cjk=False)


# (property id, version) → the entries each index was built from (a copy) and the index; a few per version, as the
# entries in effect change with the date.
_INDEXES: dict[tuple[int, int], list[tuple[list[dict[str, Any]], Index]]] = {}
_MAX_INDEXES = 256
_PER_VERSION = 4


def index_for(entries: list[dict[str, Any]], *, key: tuple[int, int] | None) -> Index:
    """The index of a knowledge version, cached by (property id, version) and the entries it was built from.

    Versions are immutable, but ids can be reused after rows are deleted (SQLite does): an index is used only for
    entries equal to those it was built from, which makes a stale index impossible. Comparing them costs a
    fraction of serializing and hashing them, as this did before (~0.5 ms per turn on the demo pack).
    """
    if key is None:
        return build_index(entries)
    built = _INDEXES.get(key, [])
    found = next((index for snapshot, index in built if snapshot == entries), None)
    if found is None:
        if key not in _INDEXES and len(_INDEXES) >= _MAX_INDEXES:  # dropping the oldest only costs a rebuild
            _INDEXES.pop(next(iter(_INDEXES)))
        found = build_index(entries)
        _INDEXES[key] = [*built[-(_PER_VERSION - 1) :], (copy.deepcopy(entries), found)]
    return found


def distinctive_content_words(entries: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Per entry, the content words (5+ letters) no other entry uses: "hairdryer" yes, "apartment" no."""
    words = {e["topic"]: {w for text in e["content"].values() for w in tokens(text) if len(w) >= 5} for e in entries}
    seen: dict[str, int] = {}
    for entry_words in words.values():
        for word in entry_words:
            seen[word] = seen.get(word, 0) + 1
    return {
        topic: {w for w in entry_words if seen[w] == 1 and w not in COMMON and not any(c.isdigit() for c in w)}
        for topic, entry_words in words.items()
    }
