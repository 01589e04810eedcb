"""A request to bend a house rule, recognised by its wording beside the rule entry retrieval ranks (issue #17, 7).

"Would the owner mind if we had some music till midnight?", "can I smoke just one on the balcony tonight?",
"possiamo accendere un piccolo falò? i ragazzi ci tengono tanto": the subject is whatever words the pack's rule
entry uses (smoking, quiet hours, the barbecue's "no open fire"), found by retrieval in any language; the request is
the wording that asks for tolerance (guard/leniency.py), or an hour past the evening hour the rule gives ("music till
1" where quiet hours start at 23:00, the hot tub "till 11pm" where it closes at 22:00: guard/hours.py). Such a
message is an exception request: the rule entries are quoted, "I've asked the team", and staff are notified; a
person decides. A plain question about the rule ("is smoking allowed on the balcony?") asks for no tolerance and is
answered.
"""

from typing import Any

from concierge.guard.evening import at_the_house, goes_out, hosts_an_evening, loud, night_hours, stays_up_past
from concierge.guard.forbidden import forbids, naming_entries
from concierge.guard.headcount import maximum_guests, party_size
from concierge.guard.hours import names_a_gathering, past_evening_limit
from concierge.guard.leniency import asks_for_leniency
from concierge.guard.policy import policy_from
from concierge.turn.result import Outcome, Verdict
from concierge.turn.state import TurnState
from escalation.models import Urgency
from knowledge.policy import POLICY_TOPICS, RULE_TOPICS, Action, Category
from knowledge.retrieval import CLARIFY_FLOOR, Candidate

# Entries a message about the party's size may also be answered from ("we'll be 5 with the baby: is there a cot?").
PARTY_TOPICS = frozenset({"amenities"})
# The rule entries among this many of retrieval's best candidates are the rules the request is about.
RANKED = 2
STAY_TIMES = frozenset({"check_in", "check_out"})  # entries whose hours are when a stay starts or ends
CUSTOM = "custom:"  # an owner's own topic (a hot tub, a barbecue) holds its own rules
QUIET_HOURS = "noise"
# The entries an evening the guests host is about (no parties, quiet hours).
EVENING_TOPICS = ("house_rules", QUIET_HOURS)
NIGHT = 21  # an hour from this one on ends an evening: no arrival or departure is asked for then
QUESTION_MARKS = ("?", "？", "か", "吗", "吧")


def is_rule_topic(topic: str) -> bool:
    """Whether an entry holds rules a guest may ask to bend: the house rules, smoking, quiet hours, pets, or a
    custom topic of the owner's."""
    return topic in RULE_TOPICS or topic.startswith(CUSTOM)


def ranked_rules(candidates: list[Candidate]) -> list[str]:
    """The rule entries among retrieval's best candidates that are at least plausible answers, best first."""
    return [c.topic for c in candidates[:RANKED] if c.score >= CLARIFY_FLOOR and is_rule_topic(c.topic)]


def named_rules(state: TurnState, candidates: list[Candidate]) -> list[str]:
    """The rule entry naming a thing the message names plainly (smoking, candles, a tent, an open fire): what a
    request for it is about, ranked by retrieval or not ("a little campfire for the kids?" beside the barbecue's
    "no open fire" outranks the kitchen's "tabletop grill"). Those retrieval ranks come first and alone (smoking, not
    the house rules that also name it); unranked, the one retrieval scores best."""
    rules = {topic: texts for topic, texts in _entry_texts(state).items() if is_rule_topic(topic)}
    named = naming_entries(state["text"], rules)
    ranked = [topic for topic in ranked_rules(candidates) if topic in named]
    if ranked or not named:
        return ranked
    order = {c.topic: i for i, c in enumerate(candidates)}
    return sorted(named, key=lambda topic: order.get(topic, len(order)))[:1]


def rule_exception_match(state: TurnState, candidates: list[Candidate]) -> dict[str, Any] | None:
    """The hand-off for a message that asks for a rule to be bent, quoting the rule entries retrieval ranks among
    its best (at least plausibly); None when no rule is ranked, nothing asks for tolerance, or the owner lets the
    concierge answer these."""
    rules = named_rules(state, candidates) or ranked_rules(candidates)
    if not rules:
        return _gathering_match(state, candidates) or evening_match(state, candidates)
    text, language = state["text"], state["language"]
    # An hour asked of the check-in or check-out entry retrieval ranks first is when the guest arrives or leaves,
    # not the end of an evening.
    timed = _stay_time_first(candidates)
    texts = _entry_texts(state)
    if asks_for_leniency(text, language=language):
        rules = with_evening_rules(state, candidates, rules)
        return screened_hand_off(state, Category.rule_exception, with_house_rules(state, rules))
    # Without a wording of tolerance, an hour past a rule's evening hour asks to bend that rule, and only that one;
    # so does asking plainly for a thing the rule forbids ("可以点蜡烛吗" beside "do not light candles").
    rules = [
        topic
        for topic in rules
        if (not timed and past_evening_limit(text, texts.get(topic, [])))
        or forbids(text, texts.get(topic, []), language=language)
    ]
    if not rules:
        return _gathering_match(state, candidates) or evening_match(state, candidates)
    return screened_hand_off(state, Category.rule_exception, with_house_rules(state, rules))


def _gathering_match(state: TurnState, candidates: list[Candidate]) -> dict[str, Any] | None:
    """Friends over for an evening that ends past the house's evening hour ("vienen unos amigos a cenar…, hasta la 1
    o así", "degli amici per una grigliata, finiremo verso mezzanotte"): the house's rule entry whose hour it passes
    is quoted, ranked by retrieval or not; not when the check-in or check-out entry ranks first (an arrival)."""
    text = state["text"]
    if _stay_time_first(candidates) or not names_a_gathering(text, language=state["language"]):
        return None
    texts = _entry_texts(state)
    rules = [topic for topic in sorted(RULE_TOPICS) if topic in texts and past_evening_limit(text, texts[topic])]
    return screened_hand_off(state, Category.rule_exception, rules[:1]) if rules else None


def with_evening_rules(state: TurnState, candidates: list[Candidate], rules: list[str]) -> list[str]:
    """`rules` and the house's own rule entry whose evening hour the message's hour passes, when none of `rules` gives
    that hour: "a bit loud till 11.30, is it ok?" ranks the house rules (a party), and the quiet hours it asks to bend
    are the noise entry's. An owner's custom topic (a hot tub open till 22:00) is not added unranked, and nothing is
    when the check-in or check-out entry ranks first (the hour is when the guest arrives or leaves)."""
    text = state["text"]
    texts = _entry_texts(state)
    timed = _stay_time_first(candidates)
    if not rules or timed or any(past_evening_limit(text, texts.get(topic, [])) for topic in rules):
        return rules
    extra = [t for t in sorted(RULE_TOPICS) if t in texts and t not in rules and past_evening_limit(text, texts[t])]
    return rules + extra[:1]


def evening_match(state: TurnState, candidates: list[Candidate]) -> dict[str, Any] | None:
    """The hand-off for an evening the guests ask to host at the house, whatever hour it ends ("could we
    invite them back to ours for paella tonight?", "友達を呼んで飲み会をしてもいいですか"): the house rules and
    quiet hours, with the owner's own entry retrieval ranks (the barbecue, the hot tub); a person decides. So is
    staying up tonight past the quiet hours, friends or not ("vanavond tot half 12 op het terras"). Not when
    it is no question, when the check-in or check-out entry ranks first and no hour of the night is named (an
    arrival), or when retrieval ranks another entry first and nothing puts the evening at the house ("a bar for a
    birthday drink?")."""
    text, language = state["text"], state["language"]
    hosted, late = hosts_an_evening(text, language=language), _late(state)
    if not asks(text, language=language) or not (hosted or late):
        return None
    if goes_out(text, language=language):  # "amigos a cenar el sábado, algún restaurante cerca?": a place out
        return None
    night = any(h >= NIGHT for h in night_hours(text, language=language))
    # "vanavond tot half 12 op het terras blijven" ranks the check-out (to stay): no departure is asked for tonight
    if _stay_time_first(candidates) and not ((hosted and night) or (late and candidates[0].topic == "check_out")):
        return None
    if candidates and not is_rule_topic(candidates[0].topic) and not at_the_house(text, language=language):
        return None
    ranked = [c.topic for c in candidates[:RANKED] if c.score >= CLARIFY_FLOOR and c.topic.startswith(CUSTOM)]
    rules = with_house_rules(state, ranked, hosted=True)
    return screened_hand_off(state, Category.rule_exception, rules) if rules else None


def _late(state: TurnState) -> bool:
    """Whether the guests ask to stay up tonight past the house's quiet hours ("vanavond tot half 12 op het terras",
    "watching the final on the balcony tonight, ok if it goes on until half 12?"), friends or not."""
    texts = _entry_texts(state)
    entries = [t for topic in EVENING_TOPICS for t in texts.get(topic, [])]
    return bool(entries) and stays_up_past(state["text"], entries, language=state["language"])


def evening_over_stay_time(state: TurnState) -> list[str]:
    """The house's evening entries when a message read as an arrival or departure hour is an evening the guests host
    that ends at night ("uns amigos vêm jantar, podemos ficar no terraço até à meia-noite?"); empty otherwise."""
    text, language = state["text"], state["language"]
    if not hosts_an_evening(text, language=language) or not any(
        h >= NIGHT for h in night_hours(text, language=language)
    ):
        return []
    return with_house_rules(state, [], hosted=True)


def with_house_rules(state: TurnState, rules: list[str], *, hosted: bool = False) -> list[str]:
    """`rules` and the house rules and quiet hours entries, when the message hosts an evening (`hosted`: already
    known): a barbecue or the hot tub "with friends" is a party too."""
    text, language = state["text"], state["language"]
    if not hosted and not hosts_an_evening(text, language=language):
        return rules
    present = {entry["topic"] for entry in state["entries"]}
    # Beside a rule the message asks to bend (candles at a dinner for two), quiet hours only for music, a party or
    # an hour of the night.
    quiet = hosted or loud(text, language=language)
    evening = [t for t in EVENING_TOPICS if t in present and t not in rules and (quiet or t != QUIET_HOURS)]
    return [*rules, *evening][:3]


def asks(text: str, *, language: str) -> bool:
    """Whether a message asks something: a question mark, a closing question word ("か", "吗"), or tolerance."""
    return any(mark in text for mark in QUESTION_MARKS) or asks_for_leniency(text, language=language)


def headcount_match(state: TurnState, sure: list[str]) -> dict[str, Any] | None:
    """The hand-off for a message that says more people will stay than the house rules allow ("we'll be 5 then",
    "3 adults plus a toddler" where the maximum is 3): the rules entry, and a person decides. Not when the message
    is about something else retrieval is sure of (`sure`: "enough plates for 6 people?" asks about the kitchen)."""
    if any(not is_rule_topic(topic) and topic not in PARTY_TOPICS for topic in sure):
        return None
    present = {entry["topic"]: entry for entry in state["entries"]}
    rules = [topic for topic in POLICY_TOPICS[Category.extra_guests] if topic in present][:1]
    most = maximum_guests(present[rules[0]]) if rules else None
    size = party_size(state["text"], language=state["language"])
    if most is None or size is None or size <= most:
        return None
    return screened_hand_off(state, Category.extra_guests, rules + [t for t in sure if t not in rules][:1])


def screened_hand_off(state: TurnState, category: Category, topics: list[str]) -> dict[str, Any] | None:
    """The screened hand-off of an exception request found by retrieval (a house rule to bend, a party too large, a
    check-in or check-out time: turn/guarded.py), quoting `topics`; None when the owner lets the concierge answer this
    kind of request."""
    action = policy_from(state["property"].policy).action_for(category)
    if action is not Action.escalate:
        return None
    screen = dict(state.get("screen") or {})
    signals = [*screen.get("signals", []), f"{category.value}:retrieval:knowledge"]
    return {
        "verdict": Verdict.screened,
        "outcome": Outcome.escalate,
        "urgency": Urgency.normal,
        "screen": {**screen, "category": category.value, "action": action.value, "signals": signals},
        "selected": topics,
        "clarify": [],
    }


def _entry_texts(state: TurnState) -> dict[str, list[str]]:
    """Each entry's texts in every language, by topic."""
    return {entry["topic"]: list(entry.get("content", {}).values()) for entry in state["entries"]}


def _stay_time_first(candidates: list[Candidate]) -> bool:
    """Whether retrieval ranks the check-in or check-out entry first: an hour then is when the guest arrives or
    leaves, not the end of an evening."""
    return bool(candidates) and candidates[0].topic in STAY_TIMES
