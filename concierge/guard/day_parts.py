"""Parts of the day said instead of an hour, read as the clock times the time tokens know: "before lunch" is
"before 12".

"is there any way to get into the flat before lunch?", "on arrive tôt le matin", "could we stay till the afternoon?"
ask for another check-in or check-out time as surely as "before 12", "vers 8" or "till 15" do, but the screening
phrases and their time tokens (`tokens.py`: `<early>`, `<late>`) read digits. `with_day_parts` writes each wording of
`data/day_parts.yaml` as the time it stands for, as `spoken.with_digits` does for hours said in words; `spoken_times`
reads both, and hours with a trailing "ish" ("by 11ish": 11), so that the screen and the check-in and check-out
hand-off (turn/guarded.py) read a time however the guest wrote it.
"""

import re
from functools import cache, lru_cache

from concierge.core.text import fold
from concierge.guard.lexicon import DATA
from concierge.guard.spoken import with_digits
from knowledge.lexicon import SUPPORTED_LANGUAGES
from knowledge.lexicon_data import language_file

_AS = " > "  # "before lunch > before 12": the wording, then the time written instead
_PARTS = language_file(DATA / "day_parts.yaml", SUPPORTED_LANGUAGES)
# The text before a part of the day ends with an hour ("lands at 8 in the morning").
_AFTER_HOUR = re.compile(r"\d(?:\s?(?:h|uhr|u|uur|heures?|ore))?\s+$")
# "11ish", "2-ish", "1 ish": the hour, without the word that makes it approximate (the time tokens read the hour).
_ISH = re.compile(r"(?<![\d:.])(\d{1,2})\s?-?ish(?!\w)")


@cache
def _rule(language: str) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """The pattern of the day's parts in a language, with the time written for each wording."""
    written: dict[str, str] = {}
    for entry in _PARTS.get(language, ()):
        said, _, instead = entry.partition(_AS)
        written[" ".join(fold(said).split())] = instead.strip()
    if not written:
        return None
    words = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(written, key=len, reverse=True))
    return re.compile(rf"(?<![\w'])(?:{words})(?![\w'-])"), written


def with_day_parts(folded: str, language: str) -> str:
    """The folded text with the parts of the day it names written as times ("before lunch" is "before 12");
    unchanged when it names none."""
    rule = _rule(language)
    if rule is None:
        return folded
    pattern, written = rule

    def time(match: re.Match[str]) -> str:
        instead = written[" ".join(match.group(0).split())]
        if not _AFTER_HOUR.search(folded, 0, match.start()):
            return instead
        # "lands at 8 in the morning": the part of the day tells the hour's half ("8am"), not another time.
        return "am" if instead.endswith("am") else match.group(0)

    return re.sub(r"(?<=\d)\s+am\b", "am", pattern.sub(time, folded))


# A turn reads the same text here up to four times (the screen twice, the check-in/check-out hand-off, sure topics).
@lru_cache(maxsize=256)
def spoken_times(folded: str, language: str) -> str:
    """The folded text with every time it names written in digits: hours in words ("around eleven"), parts of the
    day ("before lunch") and approximate hours ("11ish")."""
    return with_day_parts(with_digits(_ISH.sub(r"\1", folded), language), language)
