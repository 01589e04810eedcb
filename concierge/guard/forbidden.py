"""Whether a guest asks plainly for something the rule entry forbids (`data/forbidden.yaml`, issue #17, point 7).

"Posso accendere qualche candela?", "可以搭帐篷吗": no wording of tolerance, but the house rules say "do not light
candles", "no tents in the garden". The message asks permission for itself and names a thing that every sentence of
the entry naming it, in any of the entry's languages, forbids: a request to bend the rule, for a person to decide.
"Can we smoke on the balcony?" where the entry says "no smoking inside; you can smoke on the balcony" is answered;
"puedo fumar dentro si abro la ventana?" there names a place only a forbidding sentence names, and is a request.
"""

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from concierge.core.text import fold
from concierge.guard.lexicon import DATA
from knowledge.index import phrase_pattern
from knowledge.lexicon import SUPPORTED_LANGUAGES
from knowledge.lexicon_data import data_error, language_words, load_yaml_data, mapping
from knowledge.lexicon_data import words as word_list

_PATH = DATA / "forbidden.yaml"
_SENTENCE = re.compile(r"[^.!?;:()。！？；（）]+")  # a remark in brackets is a sentence: "(the balcony is fine)"


Words = tuple[str, ...]


def _every_language(node: Any) -> Words:
    return tuple(w for ws in language_words(_PATH, node, SUPPORTED_LANGUAGES).values() for w in ws)


def _named(node: Any, kind: str) -> dict[str, Words]:
    by_name = mapping(_PATH, node, [str(k.value) for k, _ in node.value], kind)
    return {name: _every_language(by) for name, by in by_name.items()}


def _load() -> tuple[
    dict[str, Words], dict[str, Words], Words, Words, dict[str, Words], dict[str, Words], Words, Words, Words
]:
    sections = ["asking", "asking_for", "prohibits", "permits", "named_plainly", "away", "acts", "places", "reasons"]
    node = mapping(_PATH, load_yaml_data(_PATH), sections, "section")
    asking = language_words(_PATH, node["asking"], SUPPORTED_LANGUAGES)
    acts = _named(node["acts"], "act")
    plainly = word_list(_PATH, node["named_plainly"])
    unknown = sorted(set(plainly) - set(acts))
    if unknown:
        raise data_error(_PATH, node["named_plainly"], f"named_plainly lists no act {unknown}")
    return (
        asking,
        language_words(_PATH, node["asking_for"], SUPPORTED_LANGUAGES),
        _every_language(node["prohibits"]),
        _every_language(node["permits"]),
        acts,
        _named(node["places"], "place"),
        tuple(plainly),
        _every_language(node["reasons"]),
        _every_language(node["away"]),
    )


ASKING, ASKING_FOR, PROHIBITS, PERMITS, ACTS, PLACES, PLAINLY, REASONS, AWAY = _load()


@cache
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    pattern = phrase_pattern(fold(w) for w in words)
    assert pattern is not None
    return pattern


def _asks(folded: str, language: str) -> bool:
    return _pattern((*ASKING.get(language, ()), *ASKING["en"])).search(folded) is not None


@cache
def _for_other(language: str) -> re.Pattern[str] | None:
    """A third person's modal ending a text, up to four words before the thing asked for (`asking_for`): "could my
    wife have a quick cigarette"."""
    modals = "|".join(re.escape(fold(w)) for w in sorted(set(ASKING_FOR.get(language, ())), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{modals})(?:\s+\S+){{0,4}}\s+$") if modals else None


def _asks_for_other(folded: str, language: str, named: re.Pattern[str]) -> bool:
    """Whether the message asks the thing for someone of the party: "mon copain peut fumer …", "czy mąż może
    zapalić"."""
    ending = _for_other(language)
    return ending is not None and any(ending.search(folded[: m.start()]) for m in named.finditer(folded))


def forbids(message: str, texts: Iterable[str], *, language: str) -> bool:
    """Whether the message asks permission, for the guest or someone of the party, for a thing that every sentence of
    the entry (`texts`: its content in each language) naming that thing forbids."""
    folded = fold(message)
    asks = _asks(folded, language)
    sentences = [s for text in texts for s in _SENTENCE.findall(fold(text))]
    refusing = _pattern(PROHIBITS)
    for act, words in ACTS.items():
        named = _pattern(words)
        for_other = act in PLAINLY and _asks_for_other(folded, language, named)  # a pet left alone asks no person's
        if not named.search(folded) or not (asks or for_other):
            continue
        naming = [s for s in sentences if named.search(s)]
        by_place = _by_place(folded, naming, sentences, refusing, named)
        if by_place is not None:
            return by_place
        if naming and all(refusing.search(s) for s in naming):
            return True
    return False


def _by_place(
    folded: str, naming: list[str], sentences: list[str], refusing: re.Pattern[str], act: re.Pattern[str]
) -> bool | None:
    """Whether the places the message names are asked against the entry: True when one is named only where the entry
    forbids the act and the message gives a reason or a limit ("dentro … hace un frío" beside "no smoking inside the
    flat"), False when one is where it allows something ("Op het terras mag het"), None when the message names no
    place the entry speaks of or asks for a forbidden one plainly (the entry's sentences decide, as without a place)."""
    allowing = _pattern(PERMITS)
    allowed, refused = set(), set()
    for place, words in PLACES.items():
        where = _pattern(words)
        if not where.search(folded):
            continue
        if any(where.search(s) and refusing.search(s) for s in naming):
            refused.add(place)
        if any(
            where.search(s) and allowing.search(s) and not (act.search(s) and refusing.search(s)) for s in sentences
        ):
            allowed.add(place)
    if refused - allowed:
        return True if _pattern(REASONS).search(folded) else None
    return False if allowed else None


def naming_entries(message: str, entries: Mapping[str, Iterable[str]]) -> list[str]:
    """The entries (`entries`: topic → its content in each language) naming a thing the message names plainly
    (`named_plainly`: smoking, candles, a tent, an open fire), in the order given: the rules a request for that
    thing is about, whatever retrieval ranks ("can we make a little campfire?": the barbecue's "open vuur")."""
    folded = fold(message)
    named = [p for p in (_pattern(ACTS[act]) for act in PLAINLY) if p.search(folded)]
    if not named or _pattern(AWAY).search(folded):  # "a campfire on the beach": no rule of the house says
        return []
    return [topic for topic, texts in entries.items() if any(p.search(fold(t)) for p in named for t in texts)]
