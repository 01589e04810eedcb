"""The guardrails' part of a turn: what screen_input and respond do when the policy, not the KB, decides.

Kept out of graph/nodes.py so the nodes stay small: `screen` runs the screener and the sender's rate limit;
`respond` writes the localized reply for a screened message, adding grounded knowledge-base answers to
escalations (a late check-out request still hears the check-out rules) but never to refusals.
"""

from typing import Any

from concierge.core.text import fold
from concierge.guard import policy as guard_policy
from concierge.guard import privacy as guard_service
from concierge.guard.calm import asks_for_safety_information
from concierge.guard.day_parts import spoken_times
from concierge.guard.hours import inside_hours, others_named, without_times, without_travel_times
from concierge.guard.leniency import asks_for_flexibility
from concierge.guard.phrases import asks_for_another_time
from concierge.guard.policy import policy_from, private_leaks
from concierge.guard.stay import extends_stay
from concierge.i18n import gettext_for
from concierge.llm.types import Responder
from concierge.turn import request as llm_request
from concierge.turn.result import Outcome, Verdict
from concierge.turn.rules import (
    evening_over_stay_time,
    is_rule_topic,
    named_rules,
    ranked_rules,
    screened_hand_off,
    with_evening_rules,
)
from concierge.turn.state import TurnContext, TurnState
from concierge.turn.waiting import EMERGENCY_TOPIC
from escalation.models import FLOOD_REASON, Urgency
from knowledge.asking import parts
from knowledge.follow_ups import read_follow_up
from knowledge.index import Index, index_for
from knowledge.policy import HOUSE_RULES, HOW_TO_TOPICS, POLICY_TOPICS, Action, Category
from knowledge.retrieval import Candidate

# A question whose best match is the emergency entry this surely (a word of it, not a look-alike: "band" is not
# "brand") is handled as an emergency.
EMERGENCY_MATCH = 0.75

__all__ = [
    "emergency_match",
    "exception_match",
    "sure_topics",
    "travel_topic",
    "without_travel",
    "hand_off_topics",
    "long_message_note",
    "private_leaks",
    "respond",
    "screen",
]


def _published_text(entries: list[dict[str, Any]]) -> str:
    return " ".join(text for entry in entries for text in entry["content"].values())


def screen(state: TurnState, ctx: TurnContext) -> dict[str, Any]:
    """The screening verdict as state: `verdict` is set only when the guardrails decide the turn."""
    prop, reservation, message = state["property"], state["reservation"], state["message"]
    assert prop.id is not None and message.id is not None
    private = guard_service.private_details(
        ctx.session,
        property_id=prop.id,
        reservation_id=reservation.id if reservation else None,
        published=_published_text(state["entries"]),
    )
    # The whole stored message is screened, not only what the turn reads: instructions hidden past the reading
    # limit of a long message count too.
    screening = ctx.screener.screen(
        message.body,
        language=state["language"],
        history=[m.body for m in state["history"] if m.direction == "in"],
        policy=policy_from(prop.policy),
        private_names=private.guest_names,
        staff_names=private.staff_names,
    )
    found: dict[str, Any] = {"screen": screening.trace(), "private": private.values}
    if screening.action is not Action.emergency:  # an emergency is always answered, however many messages came
        count = state["inbound"]  # read with the message (load_context)
        if count > ctx.rate_limit_messages:
            verdict = Verdict.rate_limited if count == ctx.rate_limit_messages + 1 else Verdict.silenced
            return {**found, "verdict": verdict, "outcome": Outcome.refuse}
    if screening.action is Action.refuse:
        return {**found, "verdict": Verdict.screened, "outcome": Outcome.refuse}
    if screening.action in (Action.escalate, Action.emergency):
        urgency = Urgency.emergency if screening.action is Action.emergency else Urgency.normal
        return {**found, "verdict": Verdict.screened, "outcome": Outcome.escalate, "urgency": urgency}
    return found


def hand_off_topics(
    state: TurnState, candidates: list[Candidate], selected: list[str], asked: frozenset[str] = frozenset()
) -> list[str]:
    """The entries a screened hand-off quotes: the policy the request is about, never what other words matched.

    An emergency quotes at most the property's emergency entry (the safety guidance comes first and alone); an
    exception request quotes its policy entry ("stay till 2pm, our train leaves at 5" → check-out, not trains)
    and, when the message asks more than that one question, the answers to its other questions ("…can I get my
    money back? also wifi?"); a maintenance hand-off the how-to retrieval is sure of; anything else what retrieval
    is sure of.
    """
    present = {entry["topic"] for entry in state["entries"]}
    if state.get("urgency") == Urgency.emergency:
        return [EMERGENCY_TOPIC] if any(c.topic == EMERGENCY_TOPIC for c in candidates) else []
    category = Category(state["screen"]["category"])
    if category in POLICY_TOPICS:
        category = exception_kind(state, candidates, present)
        evening = evening_over_stay_time(state) if category in TIMED_TOPICS.values() else []
        if evening:  # "amigos vêm jantar, podemos ficar até à meia-noite?": the house's evening, not a departure
            return evening
        longer = category is Category.date_change and extends_stay(state["text"], language=state["language"])
        # "one more night": the stay ends later, so the check-out is the policy, not the refunds a change of dates has
        policy_kind = Category.late_check_out if longer else category
        policy = next(([topic] for topic in POLICY_TOPICS[policy_kind] if topic in present), [])
        if category is Category.rule_exception:  # "can you make an exception?": the rule entries retrieval ranks
            policy = named_rules(state, candidates) or ranked_rules(candidates) or policy
        if policy and all(is_rule_topic(topic) for topic in policy):  # a party "a bit loud till 11.30": quiet hours
            policy = with_evening_rules(state, candidates, policy)
        policy = _continued_policy(state, present) or policy
        others = [topic for topic in selected if topic in asked and topic not in policy]
        if sum(question for _part, question in parts(state["text"], language=state["language"])) < 2:
            others = []  # the request is the only question: "chegamos às 11h de carro, dá para entrar?" asks no parking
        if category in (Category.date_change, Category.cancellation):  # "arrive a day later" is the change itself
            others = [topic for topic in others if topic not in TIMED_TOPICS]
        return policy + others[:2]
    if category is Category.maintenance:
        return [topic for topic in selected if topic in HOW_TO_TOPICS][:1]
    return selected[:1]


def previous_topics(state: TurnState) -> list[str]:
    """The topics of the conversation's last answer (the last three messages), for follow-ups to refer to."""
    for message in reversed(state["history"][-3:]):
        if message.direction == "out" and message.entry_ids:
            return list(message.entry_ids)
    return []


_POLICY_ENTRIES = frozenset(topic for topics in POLICY_TOPICS.values() for topic in topics)


def _continued_policy(state: TurnState, present: set[str]) -> list[str]:
    """The policy entry just answered, when the request only goes on about it and that entry holds what it asks ("und
    freitags länger bleiben?" after the check-out answer, "mag hij ook op de bank?" after the dog rule): the entry the
    guest is reading is the policy, whatever kind of request the screen read ("bank": a sofa to sleep on)."""
    previous = previous_topics(state)
    if not previous or previous[0] not in _POLICY_ENTRIES or previous[0] not in present:
        return []
    return previous[:1] if read_follow_up(state_index(state), state["text"], previous, state["language"]) == [] else []


def state_index(state: TurnState) -> Index:
    """The knowledge index of the turn's entries, cached per property and knowledge version."""
    version = state.get("knowledge_version")
    key = (state["property"].id, version) if state["property"].id is not None and version is not None else None
    return index_for(state["entries"], key=key)


def exception_kind(state: TurnState, candidates: list[Candidate], present: set[str]) -> Category:
    """Which of the exception kinds the screen signalled the hand-off is about: the deciding one, unless another
    signalled kind of the same group (house rules, or money) has its policy entry ranked first by retrieval ("is it
    ok if we check out at noon instead?" signals an early arrival and a late departure; the check-out entry ranks
    first, so the late departure's policy is quoted)."""
    screen = state["screen"]
    deciding = Category(screen["category"])
    group = HOUSE_RULES if deciding in HOUSE_RULES else frozenset(POLICY_TOPICS) - HOUSE_RULES
    signalled = [deciding] + [
        kind
        for kind in (Category(signal.split(":", 1)[0]) for signal in screen.get("signals", []))
        if kind in group and kind in POLICY_TOPICS and kind is not deciding
    ]
    for candidate in candidates:
        for kind in signalled:
            owned = [topic for topic in POLICY_TOPICS[kind] if topic in present]
            if owned and candidate.topic == owned[0]:
                return kind
    return deciding


TIMED_TOPICS = {"check_in": Category.early_check_in, "check_out": Category.late_check_out}


def without_travel(state: TurnState, sure: list[str]) -> str | None:
    """The turn's text without the hours of the guest's own travel (guard/hours.without_travel_times), read once per
    turn by `exception_match` and `travel_topic`; None unless the check-out is the one sure topic, the only case they
    read it in."""
    return without_travel_times(state["text"], language=state["language"]) if sure == ["check_out"] else None


def exception_match(state: TurnState, selected: list[str], rest: str | None) -> dict[str, Any] | None:
    """A check-in or check-out question that names a time or asks to move it ("could we get in at noon?") is an
    exception request: the policy entry, "I've asked the team", and staff notified; a person decides. When it names
    friends or a pet, the request is theirs (extra guests, pets) and so is the policy quoted. None otherwise.

    `rest`: `without_travel(state, selected)`."""
    if len(selected) != 1 or selected[0] not in TIMED_TOPICS:
        return None
    evening = evening_over_stay_time(state)  # friends over till midnight: the house's evening, not a departure
    if evening:
        return screened_hand_off(state, Category.rule_exception, evening)
    # When the flight leaves is no hour asked for the check-out ("our train is at 3, what time do we have to be
    # out?"); when it lands is near the arrival, so a check-in keeps it.
    text = state["text"] if selected[0] == "check_in" or rest is None else rest
    # An hour in words or a part of the day is a time too ("checked out at two", "before lunch": "at 2", "before 12").
    text = spoken_times(fold(text), state["language"])
    if not asks_for_another_time(text, language=state["language"]):
        return None
    # "friends come by at 21h, can they get in?": theirs, not a check-in
    others = others_named(state["text"], language=state["language"])
    if others is None and _inside_hours(state, selected[0], text):  # "we arrive at 17:00, can we get in?": answered
        return None
    category = others or TIMED_TOPICS[selected[0]]
    present = {entry["topic"] for entry in state["entries"]}
    return screened_hand_off(state, category, next(([t] for t in POLICY_TOPICS[category] if t in present), selected))


def sure_topics(state: TurnState, candidates: list[Candidate], selected: list[str], threshold: float) -> list[str]:
    """The topics retrieval is sure of: those selected, else the first one ranked surely but dropped for not holding
    the hour a guest names ("check out at 2 or 3?") or, for check-in or check-out, the other time asked for in words
    ("any flexibility on the check-out time?", "is check-in flexible?"): a request for that time all the same."""
    top = [c.topic for c in candidates[:1] if c.score >= threshold]
    if selected or not top:
        return selected
    named = any(ch.isdigit() for ch in spoken_times(fold(state["text"]), state["language"]))  # "at two", "11ish"
    moved = top[0] in TIMED_TOPICS and asks_for_flexibility(state["text"], language=state["language"])
    return top if named or moved else []


def travel_topic(state: TurnState, sure: list[str], selected: list[str], rest: str | None) -> list[str]:
    """The check-out entry ranked surely but dropped for not holding an hour when that hour was only the guest's
    travel ("our bus is at 4 so what time do we need to be out by?"): it answers. Empty otherwise.

    `rest`: `without_travel(state, sure)`."""
    if selected or sure[:1] != ["check_out"] or rest is None:
        return []
    return sure if not any(ch.isdigit() for ch in rest) else []


def _inside_hours(state: TurnState, topic: str, text: str) -> bool:
    """Whether the times the guest names (in `text`) are inside the hours of the topic's entry, and no word asks
    for another time ("early", "later", "中午")."""
    entry = next((e for e in state["entries"] if e["topic"] == topic), None)
    if entry is None or asks_for_another_time(without_times(text), language=state["language"], digits=False):
        return False
    policy = entry["content"].get("en") or next(iter(entry["content"].values()))
    return inside_hours(text, policy, arriving=topic == "check_in")


def emergency_match(state: TurnState, candidates: list[Candidate]) -> dict[str, Any] | None:
    """A question whose best match is the property's emergency entry is handled as an emergency: guidance first,
    the entry after it, and an urgent alert ("my son is really sick, is there a doctor?"). None otherwise."""
    if not candidates or candidates[0].topic != EMERGENCY_TOPIC or candidates[0].score < EMERGENCY_MATCH:
        return None
    if asks_for_safety_information(state["text"]):  # "what is the emergency number?" is answered, not alerted
        return None
    screen = dict(state.get("screen") or {})
    signals = [*screen.get("signals", []), f"{Category.emergency.value}:retrieval:knowledge"]
    return {
        "verdict": Verdict.screened,
        "outcome": Outcome.escalate,
        "urgency": Urgency.emergency,
        "screen": {
            **screen,
            "category": Category.emergency.value,
            "action": Action.emergency.value,
            "signals": signals,
        },
        "selected": [EMERGENCY_TOPIC],
        "clarify": [],
    }


def long_message_note(state: TurnState) -> str:
    """A localized note for a message longer than the turn reads (it is answered from its beginning)."""
    if len(state["message"].body) <= len(state["text"]):
        return ""
    _ = gettext_for(state["language"])
    return "\n\n" + _(
        "Your message was long, so I only read its beginning. If I missed something, please send one short "
        "question per message."
    )


def respond(state: TurnState, ctx: TurnContext) -> dict[str, Any]:
    """The reply for a turn the guardrails decided."""
    _ = gettext_for(state["language"])
    verdict = state["verdict"]
    if verdict == Verdict.silenced:  # stored for staff, not answered: the notice went out once already
        return {"reply": "", "responder": Responder.guard, "entry_ids": [], "escalate": None}
    if verdict == Verdict.rate_limited:
        text = _(
            "You have sent many messages in a short time, so I will pause my replies for a while. "
            "Our team can still read everything you send."
        )
        # Once per flood (only the message that crosses the limit): people read what the bot no longer answers.
        return {"reply": text, "responder": Responder.guard, "entry_ids": [], "escalate": FLOOD_REASON}
    prop = state["property"]
    category = Category(state["screen"]["category"])
    action = Action(state["screen"]["action"])
    lead = guard_policy.reply_for(
        category, action, policy=policy_from(prop.policy), language=state["language"], property_name=prop.name
    )
    if action is Action.refuse:
        return {"reply": lead, "responder": Responder.guard, "entry_ids": [], "escalate": None}
    parts, entry_ids, llm = [lead], [], {}
    if state.get("selected"):
        # The entries the hand-off quotes go through the same grounded request and output checks as any answer.
        response = llm_request.call_router(llm_request.build(state, ctx), ctx)
        llm = llm_request.trace(response)
        if response.entry_ids:
            parts.append(response.text)
            entry_ids = response.entry_ids
    return {
        "reply": "\n\n".join(parts),
        "responder": Responder.guard,
        "entry_ids": entry_ids,
        "escalate": f"policy:{category}",
        "llm": llm,
    }
