"""Screening lexicons: the phrases of requests, emergencies and attacks, per category and language.

Phrase syntax (matched on case- and accent-folded text, at word boundaries): a word ending in `*` matches any
word it begins (`refund*` matches "refunded"); a lone `*` skips up to three words ("ignore * instructions"
matches "ignore all previous instructions"); `<n>` a number or clock time ("instead of <n>": "instead of 15h");
`|` separates wordings of one phrase ("keep * until|keep * till"). Parts joined by ` + ` must each occur somewhere
in the message, in any order: "water + lamp*|ceiling*|everywhere" is a flood however the guest words it, a
problem described rather than named. `<name>` as a whole wording stands for every word of a word class of the
phrase's language (`classes.yaml`): "<person> + not reacting|won't wake" is one phrase for a husband, a daughter
or a friend; `<fever>` is a body temperature ("39,8", "40 °C"), `<many>` a headcount of 8 to 99 ("<many> friends").
A class inside a wording stands for each of its words: in a category's phrase, those of the phrase's language ("with our
<animal>": "with our dog", "with our kitten"); in `exclude.yaml`, which has no language, those of every language
(`<no_need> * <late_out>`: "no need for a late checkout", "no hace falta salida tardía").
Phrases in Japanese or Chinese are matched as plain substrings.
`EXCLUDE` lists harmless phrases removed before a category is matched ("fire extinguisher" is not a fire), from
`exclude.yaml` and `everyday.yaml` (everyday messages with an alarming word: an overflowing bin, a lost remote).

The phrases are packaged data in `concierge/guard/data`: `categories/<category>.yaml` (a list per language, for
every category), `classes.yaml` (word classes), `exclude.yaml`, `follow_ups.yaml`, `timing.yaml`,
`wrong_reply.yaml` (a guest saying the last reply was wrong) and `leniency.yaml` (asking for a rule to be bent).
They are read and checked once, at import, like the knowledge lexicon's files: a malformed file fails the import
with `path:line: message`.
"""

import re
from pathlib import Path
from typing import NamedTuple

from yaml.nodes import MappingNode

from knowledge.lexicon import SUPPORTED_LANGUAGES
from knowledge.lexicon_data import (
    data_error,
    language_file,
    language_words,
    load_yaml_data,
    mapping,
    named_files,
    words,
)
from knowledge.policy import Category

L = dict[str, tuple[str, ...]]

DATA = Path(__file__).parent / "data"
COMBINED = " + "  # parts of a phrase (concierge/guard/phrases.py reads the same syntax)
ALTERNATIVES = "|"
CLASS = re.compile(r"<([a-z_]+)>")
# `<n>`, `<late>`, ... are times, readings and headcounts, not classes (phrases.py)
TOKENS = ("n", "late", "early", "fever", "many")


class Phrases(NamedTuple):
    """The phrases of the screening files, in the shapes the rule classifier uses."""

    lexicon: dict[Category, L]
    exclude: dict[Category, tuple[str, ...]]
    follow_ups: tuple[str, ...]
    timing: dict[str, tuple[str, ...]]
    wrong_reply: dict[str, tuple[str, ...]]
    leniency: dict[str, tuple[str, ...]]
    classes: dict[str, L]


def _classes(path: Path) -> dict[str, L]:
    """The word classes: a mapping of class name to a mapping of language to its words."""
    node = load_yaml_data(path)
    names = [key.value for key, _value in node.value] if isinstance(node, MappingNode) else []
    return {
        name: language_words(path, value, SUPPORTED_LANGUAGES)
        for name, value in mapping(path, node, names, "class").items()
    }


def _expanded(phrase: str, language: str, classes: dict[str, L], path: Path) -> str:
    """The phrase with each wording that names a class (`<person>`) replaced by the class's words."""
    parts = []
    for part in phrase.split(COMBINED):
        wordings: list[str] = []
        for wording in part.split(ALTERNATIVES):
            name = CLASS.fullmatch(wording.strip())
            if name and name.group(1) not in TOKENS:
                if name.group(1) not in classes:
                    raise data_error(path, None, f"unknown word class {wording.strip()!r} in {phrase!r}")
                wordings += classes[name.group(1)][language]
            else:
                wordings += _inline(_check_inline(wording, classes, path), language, classes)
        parts.append(ALTERNATIVES.join(wordings))
    return COMBINED.join(parts)


def _inline(wording: str, language: str, classes: dict[str, L]) -> list[str]:
    """A wording with a class inside ("with our <animal>") as one wording per word of the class in the phrase's
    language ("with our dog", "with our kitten" ...); a wording without one as it is."""
    named = next((n for n in CLASS.findall(wording) if n not in TOKENS), None)
    if named is None:
        return [wording]
    spelled = [wording.replace(f"<{named}>", word, 1) for word in classes[named][language]]
    return [w for one in spelled for w in _inline(one, language, classes)]


def _check_inline(phrase: str, classes: dict[str, L], path: Path) -> str:
    """The phrase, once every class named inside a wording ("<no_need> * late check*") is known to exist."""
    for name in CLASS.findall(phrase):
        if name not in TOKENS and name not in classes:
            raise data_error(path, None, f"unknown word class <{name}> in {phrase!r}")
    return phrase


def load(directory: Path = DATA) -> Phrases:
    """Read and check the screening files in `directory`: categories in the enum's order, exclusions in the file's."""
    names = tuple(category.value for category in Category)
    files = named_files(directory / "categories", names, "category")
    classes = _classes(directory / "classes.yaml")
    exclude: dict[Category, tuple[str, ...]] = {}
    for path in (directory / "exclude.yaml", directory / "everyday.yaml"):  # everyday.yaml: harmless alarming words
        for name, node in mapping(path, load_yaml_data(path), names, "category", required=False).items():
            phrases = tuple(_check_inline(p, classes, path) for p in words(path, node))
            exclude[Category(name)] = tuple(dict.fromkeys((*exclude.get(Category(name), ()), *phrases)))
    follow_ups = directory / "follow_ups.yaml"
    return Phrases(
        lexicon={
            Category(name): {
                language: tuple(_expanded(phrase, language, classes, file) for phrase in phrases)
                for language, phrases in language_file(file, SUPPORTED_LANGUAGES).items()
            }
            for name, file in files.items()
        },
        exclude=exclude,
        follow_ups=words(follow_ups, load_yaml_data(follow_ups)),
        timing=language_file(directory / "timing.yaml", SUPPORTED_LANGUAGES),
        wrong_reply=language_file(directory / "wrong_reply.yaml", SUPPORTED_LANGUAGES),
        leniency=language_file(directory / "leniency.yaml", SUPPORTED_LANGUAGES),
        classes=classes,
    )


_PHRASES = load()

LEXICON: dict[Category, L] = _PHRASES.lexicon
EXCLUDE: dict[Category, tuple[str, ...]] = _PHRASES.exclude
# Words that, right after a role-play or injection set-up earlier in the conversation, mean "now do it".
FOLLOW_UPS: tuple[str, ...] = _PHRASES.follow_ups
# Words that ask for another check-in or check-out time ("early", "noon"): such a question is an exception request.
TIMING: dict[str, tuple[str, ...]] = _PHRASES.timing
# What a guest writes right after a bot reply to say it was wrong ("that's wrong", "no, I asked about…").
WRONG_REPLY: dict[str, tuple[str, ...]] = _PHRASES.wrong_reply
# What a guest writes to ask for a rule to be bent rather than what the rule is ("would the owner mind if…").
LENIENCY: dict[str, tuple[str, ...]] = _PHRASES.leniency
# The word classes of the phrases (`<companions>`, `<animal>` …), per language.
CLASSES: dict[str, L] = _PHRASES.classes
