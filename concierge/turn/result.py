"""What a turn returns, and one vocabulary for what happened.

The vocabulary, one word per concept (the trace key that stores it in quotes):
- `Verdict` ("verdict"): what screening made of the guest's message.
- `Action` ("screen.action", `guard.policy`): what the guardrails' policy does with a screened message.
- `Outcome` ("outcome"): what the turn did for the guest, in the eval suites' words.
- `Responder` ("responder", `llm.types`): who wrote the reply, when the text is ours and not a model's.
- `Route` ("llm.route", `llm.types`): why the router's responder answered.
- `Decision` ("decision"): what record does with the turn: send the reply, open an escalation, or both or neither.
- `Owner` / `Author` (`conversation.models`): who answers a conversation / who wrote a message.
"""

from enum import StrEnum


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
