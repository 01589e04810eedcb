"""Names of the knowledge topics in the guest's language, and the one clarifying question built from them."""

from typing import Any

from babel.lists import format_list

from concierge.i18n import N_, gettext_for

TOPIC_LABELS: dict[str, str] = {
    "wifi": N_("the Wi-Fi"),
    "check_in": N_("check-in"),
    "check_out": N_("check-out"),
    "access": N_("getting in (keys and door code)"),
    "parking": N_("parking"),
    "house_rules": N_("the house rules"),
    "trash": N_("rubbish and recycling"),
    "heating_cooling": N_("heating and air conditioning"),
    "kitchen": N_("the kitchen"),
    "laundry": N_("laundry"),
    "amenities": N_("what the flat provides (towels, linen, hair dryer…)"),
    "transport": N_("public transport and getting here"),
    "directions": N_("the address and directions"),
    "local_tips": N_("local recommendations"),
    "emergency": N_("emergencies"),
    "pets": N_("pets"),
    "noise": N_("noise and neighbours"),
    "smoking": N_("smoking"),
    "pool": N_("the pool"),
    "luggage": N_("luggage storage"),
    "refunds_policy": N_("cancellations and refunds"),
}


def topic_label(topic: str, *, language: str, title: str | None = None) -> str:
    """A topic's name in `language`; custom topics use the owner's own title."""
    label = TOPIC_LABELS.get(topic)
    if label is None:
        return title or topic.removeprefix("custom:").replace("-", " ")
    return gettext_for(language)(label)


def clarifying_question(topics: list[str], *, language: str, entries: list[dict[str, Any]]) -> str:
    """One question asking which of the plausible topics the guest means."""
    _ = gettext_for(language)
    titles = {e["topic"]: e.get("title") for e in entries}
    labels = [topic_label(t, language=language, title=titles.get(t)) for t in topics]
    try:
        options = format_list(labels, style="or", locale=language)
    except ValueError:  # a locale without an "or" pattern
        options = format_list(labels, locale=language)
    return _("Just to be sure I understand: is your question about %(options)s?", options=options)
