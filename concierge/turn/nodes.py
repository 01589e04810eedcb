"""The turn's nodes: each reads the state, calls services, and returns what it adds."""

import re
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from langgraph.runtime import Runtime

from concierge.conversation import service
from concierge.conversation.models import Author, Owner
from concierge.core.text import fold
from concierge.guard.calm import without_problems_over
from concierge.guard.output import withheld_digits
from concierge.guard.secrets import Access, access_for
from concierge.i18n import gettext_for
from concierge.i18n.detect import detect_language as decide_language
from concierge.i18n.smalltalk import GREETINGS, THANKS
from concierge.i18n.topics import clarifying_question
from concierge.llm import offline
from concierge.llm.types import Responder
from concierge.turn import guarded, rules, waiting
from concierge.turn import request as llm_request
from concierge.turn.result import GUARDED, SENDS, Decision, EscalationRequest, Outcome, Verdict
from concierge.turn.state import TurnContext, TurnState
from escalation import person_requests as person_requests
from escalation.models import Urgency, hands_over, urgency_for
from knowledge import clarified
from knowledge import service as knowledge_service
from knowledge.checks import entries_in_effect

Node = Callable[[TurnState, Runtime[TurnContext]], dict[str, Any]]

_WORDS = re.compile(r"\w+", re.UNICODE)


def timed(name: str) -> Callable[[Node], Node]:
    """Record the node's name, start offset in the turn and duration in the state's `nodes` list (the timeline)."""

    def wrap(node: Node) -> Node:
        @wraps(node)
        def run(state: TurnState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
            started = time.perf_counter()
            update = node(state, runtime)
            elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
            start_ms = round((started - runtime.context.started) * 1000, 2)
            return {**update, "nodes": [{"node": name, "start_ms": start_ms, "ms": elapsed_ms}]}

        return run

    return wrap


@timed("load_context")
def load_context(state: TurnState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    ctx = runtime.context
    since = ctx.now - timedelta(seconds=ctx.rate_limit_window_seconds)  # the sender's rate window
    turn = service.load_turn(
        ctx.session, message_id=state["message_id"], today=ctx.now.date(), history=ctx.history_messages, since=since
    )
    version = turn.knowledge
    today = knowledge_service.local_date(turn.property, now=ctx.now)
    return {
        "message": turn.message,
        "conversation": turn.conversation,
        "property": turn.property,
        "reservation": turn.reservation,
        "history": turn.history,
        "offered": turn.offered,
        "considered": turn.considered,
        "inbound": turn.inbound,
        "knowledge_version": version.version if version else None,
        "entries": entries_in_effect(version.entries, today=today) if version else [],
        "text": turn.message.body[: ctx.max_inbound_chars],
    }


def alert_thread(state: TurnState) -> bool:
    """A staff alert thread: its messages are only recorded, never screened or answered."""
    return state["conversation"].owner == Owner.alerts


def route_after_screening(state: TurnState) -> str:
    """The bot answers its own conversations; while a person owns one, only an emergency is answered at once."""
    if state["conversation"].owner == Owner.bot or waiting.is_emergency(state):
        return "answer"
    return "waiting"


@timed("record_only")
def record_only(state: TurnState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """A staff alert thread: nothing is sent and nothing escalated; the message is only recorded."""
    return {
        "decision": Decision.record_only,
        "send": False,
        "author": Author.bot,
        "escalation": None,
        "reply": "",
        "entry_ids": [],
        "escalate": None,
    }


@timed("waiting")
def wait_for_person(state: TurnState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """A person owns the conversation: recorded for staff; a guest nobody from the team has written to for a while
    hears, at most once per interval, that their message is with the team (a system message: it leaves)."""
    ctx = runtime.context
    acknowledge = waiting.acknowledgement_due(
        ctx.session,
        conversation=state["conversation"],
        now=ctx.now,
        after_minutes=ctx.handoff_ack_minutes,
        interval_minutes=ctx.handoff_ack_interval_minutes,
    )
    reply = waiting.acknowledgement(state["language"]) if acknowledge else ""
    return {
        "verdict": Verdict.waiting,
        "outcome": None,  # screening's refuse/escalate is for staff to read now, not a bot action
        "decision": Decision.acknowledge if acknowledge else Decision.record_only,
        "send": acknowledge,
        "despite_owner": acknowledge,
        "author": Author.system,
        "escalation": None,
        "reply": reply,
        "responder": Responder.canned if acknowledge else None,
        "entry_ids": [],
        "escalate": None,
    }


@timed("detect_language")
def detect_language(state: TurnState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    reservation = state["reservation"]
    decision = decide_language(
        state["text"],
        current=state["conversation"].language,
        reservation=reservation.language if reservation else None,
        default=state["property"].default_language,
        phone=state["conversation"].guest_address,
    )
    return {"language": decision.language, "language_reason": decision.reason}


@timed("screen_input")
def screen_input(state: TurnState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    words = [fold(w) for w in _WORDS.findall(state["text"])]
    access = access_for(state["property"], state["reservation"], now=runtime.context.now)
    screened = guarded.screen(state, runtime.context)  # policy categories, rate limit, length
    if screened.get("verdict"):
        return {**screened, "access": access}
    if not words:
        verdict = Verdict.empty
    elif person_requests.asks_for_person(state["text"]):
        verdict = Verdict.person
    elif all(w in THANKS or w in GREETINGS for w in words) and any(w in THANKS for w in words):
        verdict = Verdict.thanks
    elif len(words) <= 3 and all(w in GREETINGS for w in words):
        verdict = Verdict.greeting
    else:
        verdict = Verdict.question
    return {**screened, "verdict": verdict, "access": access}


@timed("retrieve")
def retrieve(state: TurnState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    escalating = state.get("outcome") == Outcome.escalate  # screening escalated: the hand-off quotes the KB too
    if state["verdict"] != Verdict.question and not escalating:
        return {"candidates": [], "selected": [], "clarify": []}
    index = guarded.state_index(state)
    ranking = clarified.decide(
        index,
        without_problems_over(state["text"]),
        language=state["language"],
        threshold=runtime.context.retrieval_threshold,
        previous=guarded.previous_topics(state),
        offered=state.get("offered", []),  # the topics our clarifying question just offered, if it was one
        considered=state.get("considered", []),  # what the last reply's retrieval ranked, for follow-ups
    )
    candidates, selected = ranking.candidates, [c.topic for c in ranking.selected]
    if escalating:  # the hand-off quotes the policy it is about, never what other words of the message matched
        return {
            "candidates": candidates[:5],
            "selected": guarded.hand_off_topics(state, candidates, selected, ranking.asked),
            "clarify": [],
        }
    emergency = guarded.emergency_match(state, candidates)
    if emergency is not None:  # never a clarifying question, never an answer without an alert
        return {"candidates": candidates[:5], **emergency}
    sure = guarded.sure_topics(state, candidates, selected, runtime.context.retrieval_threshold)
    rest = guarded.without_travel(state, sure)  # the text without the guest's travel hours: read by both checks
    exception = (
        guarded.exception_match(state, sure, rest)
        or rules.headcount_match(state, sure)
        or rules.rule_exception_match(state, candidates)
    )
    if exception is not None:  # another time, a rule bent: the policy, and a person decides
        return {"candidates": candidates[:5], **exception}
    travel = guarded.travel_topic(state, sure, selected, rest)  # "our bus is at 4, when must we be out?": check-out
    update: dict[str, Any] = {
        "candidates": candidates[:5],
        "selected": selected or travel,
        "clarify": [] if travel else [c.topic for c in ranking.clarify],
        "open_questions": ranking.open_questions,
    }
    if update["clarify"]:
        update["outcome"] = Outcome.clarify
    return update


@timed("respond")
def respond(state: TurnState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    _ = gettext_for(state["language"])
    verdict = state["verdict"]
    if verdict in GUARDED:
        return guarded.respond(state, runtime.context)
    if verdict == Verdict.empty:
        text = _("I can only read text messages. Could you write your question in a message?")
        return {"reply": text, "responder": Responder.canned, "entry_ids": [], "escalate": None}
    if verdict == Verdict.person:
        ctx = runtime.context
        text = person_requests.person_requested_reply(
            ctx.session, prop=state["property"], language=state["language"], now=ctx.now
        )
        return {"reply": text, "responder": Responder.handoff, "entry_ids": [], "escalate": "human_requested"}
    if verdict == Verdict.greeting:
        text = _(
            "Hello! I am the virtual concierge of %(property)s. Ask me about Wi-Fi, check-in, parking "
            "or anything else about your stay.",
            property=state["property"].name,
        )
        return {"reply": text, "responder": Responder.canned, "entry_ids": [], "escalate": None}
    if verdict == Verdict.thanks:
        text = _("You're welcome! Write to me any time if you need anything else.")
        return {"reply": text, "responder": Responder.canned, "entry_ids": [], "escalate": None}
    ctx = runtime.context
    modelled = ctx.router.uses_models and not ctx.degraded
    if state.get("clarify") and not modelled:  # with a model, retrieval's doubt is a hint: the model reads it all
        text = clarifying_question(state["clarify"], language=state["language"], entries=state["entries"])
        return {"reply": text, "responder": Responder.canned, "entry_ids": [], "escalate": None}
    request = llm_request.build(state, runtime.context)
    degraded = runtime.context.degraded
    routed_ms = round((time.perf_counter() - runtime.context.started) * 1000, 2)  # model calls start from here
    # Under backpressure the offline grounded responder answers: no model call, no provider latency.
    response = offline.respond(request) if degraded else llm_request.call_router(request, runtime.context)
    clarified = {"outcome": None} if state.get("clarify") else {}  # the model answered instead of asking
    # A question of the message the offline answer left open is handed to a person in the same reply, never
    # dropped (a model answers or hands over every question itself).
    handed = bool(
        state.get("open_questions")
        and response.responder == Responder.offline
        and response.entry_ids
        and not response.escalate
    )
    note = "\n\n" + _("I've asked our team about the rest of your message; a person will answer it.") if handed else ""
    return {
        **clarified,
        "reply": response.text + note + guarded.long_message_note(state),
        "responder": response.responder,
        "entry_ids": response.entry_ids,
        "escalate": "no_answer" if handed else response.escalate,
        "llm": {**llm_request.trace(response), "start_ms": routed_ms},
        "degraded": degraded,
    }


def _withheld(state: TurnState, checks: list[str], reason: str) -> dict[str, Any]:
    """Replace a reply that failed a check with the polite "a person will follow up", and escalate."""
    _ = gettext_for(state["language"])
    reply = _("Sorry, I don't have that information. A member of our team will follow up with you shortly.")
    return {"reply": reply, "checks": checks, "entry_ids": [], "escalate": reason}


@timed("check_output")
def check_output(state: TurnState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Last line of defence: no private or sensitive content leaves unless the policies allow it."""
    reply = state["reply"]
    leaks = guarded.private_leaks(reply, private=state.get("private", []))
    if leaks:  # other guests' or staff's details: never sent, whoever composed the reply
        return _withheld(state, [f"private_withheld:{k}" for k in leaks], "private_blocked")
    if state["access"] is not Access.allowed:
        checks = [
            f"secret_withheld:{entry['topic']}"
            for entry in state["entries"]
            if entry.get("sensitive") and any(text in reply for text in entry["content"].values())
        ]
        if checks:
            return _withheld(state, checks, "secret_blocked")
    if state.get("responder") not in (None, *Responder):  # a model wrote it: the router checked; again anyway
        checks = llm_request.recheck(state, runtime.context.context_tokens)
        if checks:
            return _withheld(state, checks, "output_blocked")
    if state["access"] is not Access.allowed:  # last: a code copied into another entry is still the code
        sensitive = [text for e in state["entries"] if e.get("sensitive") for text in e["content"].values()]
        if withheld_digits(reply, sensitive):
            return _withheld(state, ["secret_withheld:digits"], "secret_blocked")
    return {"checks": []}


@timed("decide")
def decide(state: TurnState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """The send/no-send decision: what record does with the reply, as which author, and the escalation it opens."""
    reason = state.get("escalate")
    escalation = None
    if reason:
        escalation = EscalationRequest(
            reason=reason, urgency=urgency_for(reason, state.get("urgency")), detail=state.get("text", "")
        )
    if not state["reply"]:
        decision = Decision.record_only if state.get("verdict") == Verdict.silenced else Decision.escalate
    else:
        decision = Decision.reply_escalate if reason else Decision.reply
    send = decision in SENDS
    # An escalation this urgent hands the conversation to people as it opens (escalation.service.takes_over): its
    # hand-off notice still leaves, as a system message, which is never cancelled. Record overrides this only with
    # what the locked conversation tells: a hand-back settled it already, or a person took it while the turn ran.
    handing_over = send and escalation is not None and hands_over(escalation.urgency)
    return {
        "decision": decision,
        "send": send,
        "author": Author.system if handing_over else Author.bot,
        # Safety guidance leaves whoever owns the conversation, also when a person took it while the turn ran.
        "despite_owner": send and escalation is not None and escalation.urgency == Urgency.emergency,
        "escalation": escalation,
    }
