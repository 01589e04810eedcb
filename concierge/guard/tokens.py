"""The tokens of screening phrases that stand for a number, a clock time, a headcount or a body temperature."""

# `<n>` in a phrase stands for a number or a clock time ("14", "2pm", "12:00", "15h"): "instead of <n>"; `<late>` and
# `<early>` for an afternoon or a morning time.
NUMBER = "<n>"
_CLOCK = r"\d{1,2}(?:[:.h]\d{2})?(?:h|pm|am|uhr|u)?"
# `<late>` a time from noon on ("14h", "2pm", "at 13"), `<early>` one in the morning ("7am", "11:30", "around 10"): a
# check-out verb with a late time or an arrival verb with an early one asks for another time than the policy's. A bare
# number counts only after a word that introduces a time ("at 10"), so "2 kids, 6 and 9" or "8 kg" are no times.
_NOT_A_TIME = (
    r"(?!\s?(?:kg|km|min|minut\w*|%|€|eur|euros?|°|years?|jahre|ans|anni|anos|jaar|lat|people|persons?|personas?"
    r"|nights?|noches?|nuits?|nachte|notti|noites|nachten|nocy|noce|days?|weeks?))"
)
# "około" and "okolo": the screen reads its text with ł written l (`phrases.normalize`), the hours' `fold` keeps ł.
_AT = (
    r"(?:at|around|about|by|from|until|till|til|um|gegen|ab|bis|à|vers|a las|sobre las|hacia las|alle|verso le"
    r"|dopo le|entro le|às|por volta das|om|rond|tot|o|około|okolo|do|before|avant|antes de las|antes das"
    r"|prima delle|przed"
    r")\s+"
)

INTRODUCES_TIME = _AT  # the words before a bare hour that make it a time ("at 10", "verso le 19")


def _time(hours: str, half: str, meridiem: str, bare: str) -> str:
    """A time of these hours: with a unit ("14h", "13:30", "2pm") or bare after a word that introduces a time."""
    unit = rf"(?:{hours})(?:[:.h]\d{{2}}(?:\s?(?:h|uhr))?|\s?(?:h|uhr)(?:\d{{2}})?|u)"
    unit += rf"|(?:{half})(?:[:.]\d{{2}})?\s?{meridiem}"
    return rf"(?:{unit}|{_AT}(?:{bare})(?![:.]?\d)(?!\s?[ap]m)){_NOT_A_TIME}"


# `<fever>` a body temperature a thermometer shows: 38 to 42 with a decimal ("39,8", "40.3") or a unit ("39 °C",
# "40 Grad"); never a price, a distance or a weight.
_FEVER = (
    r"(?:3[89]|4[0-2])(?:(?:[.,]\d)?\s?(?:°\s?c?|º\s?c?|grad\w*|degrees?|degres|gradi|graus|grados|stopni\w*)"
    r"|[.,]\d(?![\d.,]))(?!\s?(?:€|eur\w*|%|km|kg|m2|min\w*|euros?))"
)
# `<many>` a headcount a flat is not booked for, 8 to 99 ("unos 12 amigos", "20 people"); never a clock time ("at 8",
# "8:30", "8h", "8pm"), a date or a price: the phrase names the people right after it ("<many> friends").
_MANY = r"(?:[89]|[1-9]\d)(?![\d:.,/h€%]|\s?(?:am|pm|uhr|eur|euros?)\b)"
TIMES = {
    NUMBER: _CLOCK + _NOT_A_TIME,
    "<late>": _time(r"1[2-9]|2[0-3]", r"[1-9]|1[01]", "pm", r"1[2-9]|2[0-3]|[1-4]"),  # "leave at 2": the afternoon
    "<early>": _time(r"[5-9]|1[0-3]", r"[5-9]|1[01]", "am", r"[5-9]|1[0-3]"),
    "<fever>": _FEVER,
    "<many>": _MANY,
}
