"""The turn's state and the collaborators its nodes are given."""

import operator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypedDict

from sqlmodel import Session

from concierge.guard.secrets import Access
from concierge.llm.router import Router
from concierge.models import Conversation, Message
from knowledge.models import Property, Reservation
from knowledge.retrieval import Candidate


@dataclass(frozen=True)
class TurnContext:
    """Given to every node: a read-only session, the responder router, the clock and tuning."""

    session: Session
    router: Router
    now: datetime  # aware (UTC)
    retrieval_threshold: float = 0.7
    history_messages: int = 10
    max_inbound_chars: int = 2000


class TurnState(TypedDict, total=False):
    message_id: int
    # load_context
    message: Message
    conversation: Conversation
    property: Property
    reservation: Reservation | None
    history: list[Message]
    knowledge_version: int | None
    entries: list[dict[str, Any]]
    text: str
    # detect_language
    language: str
    language_reason: str
    # screen_input
    verdict: str  # "question", "empty", "greeting", "thanks", "person"
    access: Access
    # retrieve
    candidates: list[Candidate]
    selected: list[str]
    # respond / check_output
    reply: str
    responder: str
    entry_ids: list[str]
    escalate: str | None
    checks: list[str]
    # decide
    decision: str  # "reply", "reply_escalate", "escalate", "record_only"
    nodes: Annotated[list[dict[str, Any]], operator.add]
