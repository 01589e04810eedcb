"""Hours said in words, read as the digits the time tokens know: "around eleven" is "around 11".

"could we check in around eleven?", "so gegen halb elf", "koło pierwszej", "verso le dieci e mezza", "een uur of
twee": the screening phrases and their time tokens (`tokens.py`: `<early>`, `<late>`, `<n>`) read digits. Instead of
one phrase per spoken hour, `with_digits` rewrites the hour words of `data/spoken_hours.yaml` before the phrases
read the text. A word is an hour only after a word that introduces a time or before an hour unit ("elf Uhr",
"onze heures"): "two people", "una pregunta", "ein paar", "dwie osoby" stay words. The word that introduces the time
is written as one the time tokens know ("koło" as "około", "sobre la" as "a las"); half past is kept as its hour
("halb elf" is 10, "dos y media" 2): the tokens read an hour, not its minutes.
"""

import re
from functools import cache

from concierge.guard.lexicon import DATA
from knowledge.lexicon import SUPPORTED_LANGUAGES
from knowledge.lexicon_data import load_yaml_data, mapping, words

_PATH = DATA / "spoken_hours.yaml"
_NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_PARTS = ("at", *_NUMBERS, "noon", "half", "past", "after", "unit", "not_before")
_AS = " > "  # "kolo > okolo": the word, then the one written instead


def _load() -> dict[str, dict[str, tuple[str, ...]]]:
    root = load_yaml_data(_PATH)
    found = mapping(_PATH, root, SUPPORTED_LANGUAGES, "language", required=False)
    parts = {language: mapping(_PATH, node, _PARTS, "part", required=False) for language, node in found.items()}
    return {language: {part: words(_PATH, v) for part, v in found_.items()} for language, found_ in parts.items()}


_DATA = _load()


def _alternatives(found: tuple[str, ...] | list[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(found, key=len, reverse=True))


@cache
def _rule(language: str) -> tuple[re.Pattern[str], dict[str, str], dict[str, int], frozenset[str]] | None:
    """The pattern of a spoken hour in a language, with the word written for each introducing word, each hour word's
    number and the words that take an hour back by one."""
    data = _DATA.get(language)
    if not data:
        return None
    written = {}
    for entry in data.get("at", ()):
        said, _, instead = entry.partition(_AS)
        written[said.strip()] = (instead or said).strip()
    numbers = {w: i + 1 for i, name in enumerate(_NUMBERS) for w in data.get(name, ())}
    numbers |= {w: 12 for w in data.get("noon", ())}
    before = (*data.get("half", ()), *data.get("past", ()))
    hour = _alternatives(list(numbers))
    at = _alternatives(list(written))
    after = rf"(?:\s+(?:{_alternatives(data['after'])})(?!\w))?" if data.get("after") else ""
    # The introducing word ends with an apostrophe ("all'una") or a space; the hour word ends the word.
    pattern = (
        rf"(?<![\w'])(?:(?P<at>{at})(?:\s+|(?<=')))?"
        + (rf"(?:(?P<before>{_alternatives(before)})\s+)?" if before else "")
        + rf"(?P<hour>{hour})(?![\w'-])"
        + after
        + (rf"(?P<unit>\s+(?:{_alternatives(data['unit'])})(?!\w))?{after}" if data.get("unit") else "")
        + (rf"(?!\s+(?:{_alternatives(data['not_before'])})(?!\w))" if data.get("not_before") else "")
    )
    back = frozenset(data.get("half", ()))
    return re.compile(pattern), written, numbers, back


def with_digits(folded: str, language: str) -> str:
    """The folded text with its spoken hours written as digits ("gegen halb elf" is "gegen 10"); unchanged when it
    names none, or when its language has no hour words."""
    rule = _rule(language)
    if rule is None:
        return folded
    pattern, written, numbers, back = rule

    def digits(match: re.Match[str]) -> str:
        said, unit = match.group("at"), match.groupdict().get("unit")
        hour = numbers[_spaced(match.group("hour"))]
        if not said and (not unit or hour == 1):
            return match.group(0)  # "two people", "ein paar": no time; "une heure", "een uur": as long as an hour
        before = match.groupdict().get("before")
        if before and _spaced(before) in back:
            hour = hour - 1 or 12
        time = f"{hour}h" if unit else str(hour)
        return f"{written[_spaced(said)]} {time}" if said else time

    return pattern.sub(digits, folded)


def _spaced(words_: str) -> str:
    return " ".join(words_.split())
