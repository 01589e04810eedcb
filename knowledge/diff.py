"""A readable diff between two knowledge versions: per entry, per field and per language, word by word."""

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

_WORDS = re.compile(r"\s+|[^\s]+")  # words and the spaces between them, so the text rebuilds exactly

# The entry fields besides the per-language content, in the order a person reads them.
FIELDS = ("title", "sensitive", "effective_from", "effective_until", "keywords")


@dataclass(frozen=True)
class Segment:
    op: str  # "same", "added" or "removed"
    text: str


@dataclass(frozen=True)
class LanguageChange:
    language: str
    status: str  # "added", "removed", "changed", "same"
    segments: list[Segment]


@dataclass(frozen=True)
class EntryChange:
    topic: str
    title: str
    status: str  # "added", "removed", "changed", "same"
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field, before, after)
    languages: list[LanguageChange] = field(default_factory=list)


def word_diff(before: str, after: str) -> list[Segment]:
    """Word-level changes from `before` to `after`; consecutive pieces of the same kind are merged."""
    a, b = _WORDS.findall(before), _WORDS.findall(after)
    segments: list[Segment] = []

    def add(op: str, words: list[str]) -> None:
        text = "".join(words)
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1] = Segment(op, segments[-1].text + text)
        else:
            segments.append(Segment(op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("same", a[i1:i2])
        else:
            add("removed", a[i1:i2])
            add("added", b[j1:j2])
    return segments


def _languages(before: dict[str, str], after: dict[str, str]) -> list[LanguageChange]:
    changes = []
    for language in [*after, *(lang for lang in before if lang not in after)]:
        old, new = before.get(language), after.get(language)
        if old is None:
            changes.append(LanguageChange(language, "added", [Segment("added", new or "")]))
        elif new is None:
            changes.append(LanguageChange(language, "removed", [Segment("removed", old)]))
        elif old != new:
            changes.append(LanguageChange(language, "changed", word_diff(old, new)))
        else:
            changes.append(LanguageChange(language, "same", [Segment("same", new)]))
    return changes


def diff_entries(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[EntryChange]:
    """Every entry of either version with what changed; entries keep the newer version's order."""
    before = {e["topic"]: e for e in old}
    after = {e["topic"]: e for e in new}
    changes = []
    for topic in [*after, *(t for t in before if t not in after)]:
        a, b = before.get(topic), after.get(topic)
        if a is None and b is not None:
            langs = _languages({}, b["content"])
            changes.append(EntryChange(topic, b["title"], "added", _fields({}, b), langs))
        elif b is None and a is not None:
            langs = _languages(a["content"], {})
            changes.append(EntryChange(topic, a["title"], "removed", _fields(a, {}), langs))
        elif a is not None and b is not None:
            fields = _fields(a, b)
            langs = _languages(a["content"], b["content"])
            changed = bool(fields) or any(lang.status != "same" for lang in langs)
            changes.append(EntryChange(topic, b["title"], "changed" if changed else "same", fields, langs))
    return changes


def _fields(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    shown = [(name, _shown(a.get(name)), _shown(b.get(name))) for name in FIELDS]
    return [(name, before, after) for name, before, after in shown if before != after]


def _shown(value: Any) -> Any:
    """A field's value as a person reads it: keywords {"es": ["a", "b"]} as "es: a, b"; None when empty."""
    if isinstance(value, dict):
        return "; ".join(f"{lang}: {', '.join(words)}" for lang, words in value.items() if words) or None
    return value


_FACTS = re.compile(r"\d{1,2}[:.h]\d{2}|\d+")  # times first ("15:00", "15h00"), then any number (prices, codes)


def stale_languages(before: dict[str, Any] | None, after: dict[str, Any]) -> list[tuple[str, str]]:
    """(language, fact) for each language left as it was that still states a fact the edited languages dropped:
    the Spanish text changed "15:00" to "16:00", the French one was not touched → ("fr", "15:00")."""
    if not before:
        return []
    old, new = before.get("content", {}), after.get("content", {})
    changed = [lang for lang in new if lang in old and new[lang] != old[lang]]
    dropped = {fact for lang in changed for fact in _FACTS.findall(old[lang]) if fact not in _FACTS.findall(new[lang])}
    stale = []
    for lang, text in new.items():
        if lang in changed or old.get(lang) != text:
            continue
        stale += [(lang, fact) for fact in dict.fromkeys(_FACTS.findall(text)) if fact in dropped]
    return stale
