"""A model's answer as the router reads it, and the two decisions around it: skip the model, or hand over.

Prompt version 1 answers in text (the reply, or NO_ANSWER); version 2 in structured output (structured.py).
Both become an `Answer`. Whether the offline matcher is sure enough to skip the model is sureness.py's rule.
"""

from dataclasses import dataclass, field
from typing import Any

from concierge.i18n import gettext_for
from concierge.llm.structured import GroundedReply
from concierge.llm.types import Responder, ResponseRequest, TurnResponse

NO_ANSWER = "NO_ANSWER"


@dataclass(frozen=True)
class Answer:
    text: str  # the reply to check and send ("" when the model has none)
    intent: str  # answer, clarify, no_answer, needs_person
    topics: list[str] = field(default_factory=list)  # entries the model says it used (structured output)
    raw: str = ""  # what the model wrote, for the regeneration request
    reason: str = ""  # why a person is needed, in the model's words (needs_person)

    @property
    def unanswered(self) -> bool:
        """The model found nothing to say (a needs_person answer with a reply is still sent, and escalated)."""
        return self.intent == "no_answer" or not self.text.strip() or self.text.strip() == NO_ANSWER


def from_text(text: str) -> Answer:
    """A prompt version 1 answer: the reply text, or NO_ANSWER."""
    stripped = text.strip()
    return Answer(text=stripped, intent="no_answer" if stripped == NO_ANSWER else "answer", raw=text)


def from_structured(parsed: GroundedReply, raw: Any) -> Answer:
    """A prompt version 2 answer from its validated structured output."""
    return Answer(
        text=parsed.reply.strip(), intent=parsed.intent, topics=list(parsed.topics), raw=str(raw), reason=parsed.reason
    )


def hand_over(request: ResponseRequest) -> TurnResponse:
    """The reply when nothing written answers the message: a person will follow up (and is told to)."""
    _ = gettext_for(request.language)
    return TurnResponse(
        text=_("Sorry, I don't have that information. A member of our team will follow up with you shortly."),
        entry_ids=[],
        responder=Responder.canned,
        escalate="no_answer",
    )
