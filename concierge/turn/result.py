"""What a turn returns: the typed `TurnResult`, and one vocabulary for what happened.

The graph's final state is turned into a `TurnResult` in one place (`builder.TurnGraph.run`); record, metrics,
the evals and the preview read it, never the state. The trace stored in the database keeps its JSON keys (pages,
the dashboard and the exporters read them); `record.trace_data` writes it from the result.

The vocabulary, one word per concept (the trace key that stores it in quotes):
- `Verdict` ("verdict"): what screening made of the guest's message.
- `Action` ("screen.action", `guard.policy`): what the guardrails' policy does with a screened message.
- `Outcome` ("outcome"): what the turn did for the guest, in the eval suites' words.
- `Responder` ("responder", `llm.types`): who wrote the reply, when the text is ours and not a model's.
- `Route` ("llm.route", `llm.types`): why the router's responder answered.
- `Decision` ("decision"): what record does with the turn: send the reply, open an escalation, or both or neither.
- `Owner` / `Author` (`conversation.models`): who answers a conversation / who wrote a message.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from concierge.conversation.models import Author
from concierge.guard.secrets import Access
from concierge.llm.types import FALLBACK_ROUTES
from escalation.models import Urgency
from knowledge.retrieval import Candidate


class Verdict(StrEnum):
    """What screen_input made of the guest's message."""

    question = "question"  # an ordinary question: retrieval and a responder answer it
    empty = "empty"  # no words (a photo, a sticker): asked to write text
    greeting = "greeting"  # only greetings: the concierge introduces itself
    thanks = "thanks"  # only thanks (and greetings): you're welcome
    person = "person"  # asks for a person: the hand-off reply, escalated
    screened = "screened"  # the guardrails' policy decided: refuse, escalate or emergency guidance
    rate_limited = "rate_limited"  # the sender just went over the rate limit: told once
    silenced = "silenced"  # still over the rate limit: stored for staff, not answered
    waiting = "waiting"  # a person owns the conversation: recorded for staff, the guest at most acknowledged


# Verdicts the guardrails answer (guarded.respond), not the knowledge base.
GUARDED = frozenset({Verdict.screened, Verdict.rate_limited, Verdict.silenced})


class Outcome(StrEnum):
    """What the turn did for the guest, in the eval suites' words; the trace's "outcome" holds the early ones."""

    answer = "answer"  # answered from the knowledge base
    escalate = "escalate"  # handed to people (set early when screening escalates)
    refuse = "refuse"  # politely refused (set early by screening and the rate limit)
    clarify = "clarify"  # asked which of a few topics the guest meant (set early by retrieval)
    smalltalk = "smalltalk"  # a greeting, thanks or an empty message answered


class Decision(StrEnum):
    """What record does with the turn (the decide node's word)."""

    reply = "reply"  # send the reply
    reply_escalate = "reply_escalate"  # send the reply (the hand-off notice) and open an escalation
    escalate = "escalate"  # nothing to send: open an escalation
    record_only = "record_only"  # nothing to send: a person owns the conversation, or the sender is silenced
    acknowledge = "acknowledge"  # a person owns the conversation: send only "your message is with our team"


SENDS = frozenset({Decision.reply, Decision.reply_escalate, Decision.acknowledge})
# The bot did not answer these turns (a person owns the conversation, or the sender is silenced): reports and the
# dashboard do not count them as the bot's turns.
NOT_ANSWERED = frozenset({Decision.record_only, Decision.acknowledge})


@dataclass(frozen=True)
class EscalationRequest:
    """People must follow up: why, how urgently, and the guest's text that raised it."""

    reason: str  # e.g. "no_answer", "human_requested", "policy:fire"
    urgency: Urgency
    detail: str = ""


@dataclass(frozen=True)
class TurnTrace:
    """How the turn got to its result: what the trace keeps beside the decision (never the guest's text)."""

    message_id: int | None = None
    input_chars: int = 0  # the length of the text the turn read
    language_reason: str | None = None
    verdict: Verdict | None = None
    screen: dict[str, Any] | None = None  # the screening verdict: category, action, signal rule ids
    access: Access | None = None
    candidates: list[Candidate] = field(default_factory=list)  # retrieval's best five
    selected: list[str] = field(default_factory=list)  # topics retrieval was sure of
    clarify: list[str] = field(default_factory=list)  # topics the guest was asked to choose from
    nodes: list[dict[str, Any]] = field(default_factory=list)  # the timeline: node, start_ms, ms
    llm: dict[str, Any] | None = None  # the router's record: route, provider chain, prompt, calls, cost, rejected
    degraded: bool = False  # the outbox was backlogged: no model was called
    release: dict[str, Any] | None = None  # the release the turn ran with


@dataclass(frozen=True)
class TurnResult:
    """What one turn decided: the reply and whether it leaves (as which author), the escalation, and the trace."""

    decision: Decision
    send: bool = False  # the decide node's word; record withholds it only if a person took the chat meanwhile
    author: Author = Author.bot  # system: the hand-off notice leaves although people own the chat from now on
    # The reply leaves whoever owns the conversation: safety guidance, a waiting guest's acknowledgement.
    despite_owner: bool = False
    reply: str = ""
    escalation: EscalationRequest | None = None
    language: str | None = None
    knowledge_version: int | None = None
    entry_ids: list[str] = field(default_factory=list)  # the knowledge entries the reply used
    responder: str | None = None  # a Responder, or the "provider:model" that wrote the reply
    outcome: Outcome | None = None  # set early by screening (refuse, escalate) or retrieval (clarify)
    checks: list[str] = field(default_factory=list)  # why the output checks withheld a reply
    disputes_reply: bool = False  # the guest says the bot's previous reply was wrong ("that's wrong"): staff mark it
    trace: TurnTrace = field(default_factory=TurnTrace)

    @property
    def model_calls(self) -> list[dict[str, Any]]:
        """The model calls the router made (and skipped) for this turn."""
        return list((self.trace.llm or {}).get("calls") or [])

    @property
    def fallback_route(self) -> str | None:
        """The router's route when the offline responder answered although a model should have."""
        route = (self.trace.llm or {}).get("route")
        return str(route) if route in FALLBACK_ROUTES else None
