"""A model's answer as the router reads it, and the two decisions around it: skip the model, or hand over.

Prompt version 1 answers in text (the reply, or NO_ANSWER); version 2 in structured output (structured.py).
Both become an `Answer`. The offline-first path skips the model only when the offline matcher is sure of one
self-contained question: one topic, no second question, nothing that points back at earlier messages.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from concierge.i18n import gettext_for
from concierge.llm.structured import GroundedReply
from concierge.llm.types import Responder, ResponseRequest, TurnResponse

NO_ANSWER = "NO_ANSWER"
_QUESTION = re.compile(r"[?？]")
_DIGIT = re.compile(r"\d")
# Topics whose entry is a list (places nearby, equipment, rules): the matcher can tell the guest asks about the
# topic, not whether the list holds what they ask for ("a Chinese supermarket?"). A model reads the list.
BROAD_TOPICS = frozenset({"local_tips", "amenities", "kitchen", "house_rules", "emergency"})
# A second question or a reference to earlier turns, in the ten languages ("and", "also", "it", "that one" …):
# then the model, which sees the conversation, answers instead of the matcher.
_MORE = re.compile(
    r"(?i)(?<!\w)(?:and|also|too|it|that|there|they|them|then|y|también|eso|ahí|et|aussi|ça|cela|là|und|auch|"
    r"das|dort|e|anche|quello|lì|en|ook|dat|daar|i|też|tam|e|também|isso|lá)(?!\w)|还有|另外|那个|它|そして|それ|あと"
)


@dataclass(frozen=True)
class Answer:
    text: str  # the reply to check and send ("" when the model has none)
    intent: str  # answer, clarify, no_answer, needs_person
    topics: list[str] = field(default_factory=list)  # entries the model says it used (structured output)
    raw: str = ""  # what the model wrote, for the regeneration request

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
    return Answer(text=parsed.reply.strip(), intent=parsed.intent, topics=list(parsed.topics), raw=str(raw))


def sure_of_one(request: ResponseRequest, *, confidence: float) -> bool:
    """The offline matcher is sure of one self-contained question: one specific topic above the confidence, at most
    one question mark, no number of the guest's own (a time or a head count asks about their case: "can we stay
    till 2?"), and no word that adds a question or points back at the conversation."""
    if len(request.entries) != 1 or request.confidence < confidence:
        return False
    if request.entries[0]["topic"] in BROAD_TOPICS or _DIGIT.search(request.text):
        return False
    if len(_QUESTION.findall(request.text)) > 1:
        return False
    return not (request.history and _MORE.search(request.text)) and " and " not in f" {request.text.lower()} "


def hand_over(request: ResponseRequest) -> TurnResponse:
    """The reply when nothing written answers the message: a person will follow up (and is told to)."""
    _ = gettext_for(request.language)
    return TurnResponse(
        text=_("Sorry, I don't have that information. A member of our team will follow up with you shortly."),
        entry_ids=[],
        responder=Responder.canned,
        escalate="no_answer",
    )
