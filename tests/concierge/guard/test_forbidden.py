"""Asking plainly for a thing the rule entry forbids (concierge/guard/forbidden.py, issue #17 point 7)."""

from concierge.guard.forbidden import forbids

RULES = ["Maximum 3 guests. No parties or events, and please do not light candles."]
SMOKING = ["No smoking or vaping inside the flat. You can smoke on the balcony; there is an ashtray on the table."]
FIRE = ["De gasbarbecue staat op het terras. Houtskool en open vuur zijn niet toegestaan vanwege de duinen."]


def test_permission_for_a_forbidden_thing_in_any_language() -> None:
    assert forbids("posso accendere qualche candela?", RULES, language="it")
    assert forbids("可以在客厅里点几根蜡烛吗", RULES, language="zh")
    assert forbids("we brought charcoal, ok to use it on the bbq instead of the gas?", FIRE, language="en")


def test_a_thing_the_entry_also_allows_or_a_plain_question_is_no_request() -> None:
    assert not forbids("can we smoke on the balcony?", SMOKING, language="en")
    assert not forbids("are candles allowed?", RULES, language="en")
    assert not forbids("can we use the bbq on the terrace?", FIRE, language="en")
