"""Preview: what the concierge would answer a test question, computed by the real turn graph, then forgotten."""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlmodel import Session

from concierge.conversation import service
from concierge.core.settings import Settings
from concierge.llm.router import Router, parse_providers
from concierge.turn.builder import TurnGraph, build_graph
from concierge.turn.state import TurnContext
from knowledge.models import Property

PREVIEW_CHANNEL = "preview"
UNKNOWN_GUEST = "preview:unknown"


@dataclass(frozen=True)
class Preview:
    """What the concierge would answer, as the knowledge page shows it."""

    reply: str
    language: str | None
    decision: str
    entry_ids: list[str]
    knowledge_version: int | None
    escalate: str | None
    access: str | None


@lru_cache(maxsize=1)
def _graph() -> TurnGraph:
    return build_graph()


def preview_answer(
    session: Session, *, prop: Property, text: str, phone: str | None, now: datetime, settings: Settings
) -> Preview:
    """Run one turn as the guest `phone` (None: an unknown sender) would, inside a savepoint that is rolled
    back, so the preview writes nothing: no message, job, trace, escalation or outbox row survives."""
    savepoint = session.begin_nested()
    try:
        # A preview conversation of its own: never a real guest's thread, always in bot mode, no history.
        message = service.receive(
            session,
            prop=prop,
            channel=PREVIEW_CHANNEL,
            guest_address=phone or UNKNOWN_GUEST,
            property_address=PREVIEW_CHANNEL,
            body=text,
            now=now,
        )
        assert message is not None and message.id is not None
        context = TurnContext(
            session=session,
            router=Router(parse_providers(settings.llm_providers)),
            now=now,
            retrieval_threshold=settings.retrieval_threshold,
            history_messages=settings.history_messages,
            max_inbound_chars=settings.max_inbound_chars,
        )
        result = _graph().run(message.id, context=context)
    finally:
        savepoint.rollback()
    return Preview(
        reply=result.reply,
        language=result.language,
        decision=result.decision,
        entry_ids=result.entry_ids,
        knowledge_version=result.knowledge_version,
        escalate=result.escalation.reason if result.escalation else None,
        access=str(result.trace.access) if result.trace.access else None,
    )
