"""Preview: what the concierge would answer a test question, computed by the real turn graph, then forgotten.

The owner's draft is previewed the same way: inside the savepoint that is rolled back, the draft's entries are
published as the newest version, so the turn reads them exactly as it will once the draft is published. The
property's marked cases (concierge/conversation/marks.py) are played like that too, on the published knowledge
and on the draft, and judged by the marked cases' rules (`concierge eval --marked`, realistic.py): an answer
case must quote the expected entries and nothing else, a hand-over case must be handed to the team.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlmodel import Session

from concierge.conversation import service
from concierge.conversation.marks import ReplyMark
from concierge.conversation.models import Author
from concierge.core.settings import Settings
from concierge.llm.router import Router, parse_providers
from concierge.turn.builder import TurnGraph, build_graph
from concierge.turn.result import TurnResult
from concierge.turn.state import TurnContext
from knowledge import service as knowledge_service
from knowledge.checks import cited_topics
from knowledge.models import Property, Reservation

PREVIEW_CHANNEL = "preview"
UNKNOWN_GUEST = "preview:unknown"
BOOKED_GUEST = "preview:booked"  # a marked case's booked guest: a stay around today, only inside the savepoint
DRAFT_AUTHOR = "preview"


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


@dataclass(frozen=True)
class CaseRun:
    """One marked case played on one knowledge (the published one or the draft), judged."""

    reply: str
    missing: list[str] = field(default_factory=list)  # expected entries the reply does not quote
    wrong: list[str] = field(default_factory=list)  # entries quoted that it should not
    not_handed_over: bool = False  # a hand-over case the team was not told about
    no_reply: bool = False  # a hand-over case the guest got no answer in

    @property
    def passes(self) -> bool:
        """Whether the case passes."""
        return not (self.missing or self.wrong or self.not_handed_over or self.no_reply)


@dataclass(frozen=True)
class CaseCheck:
    """A marked case on the published knowledge and on the draft."""

    mark: ReplyMark
    kind: str  # the expectation the case is judged by (a draft's new entry can turn "unknown" into "answer")
    topics: list[str]
    published: CaseRun
    draft: CaseRun | None  # None without a draft


@lru_cache(maxsize=1)
def _graph() -> TurnGraph:
    return build_graph()


def _context(session: Session, *, now: datetime, settings: Settings) -> TurnContext:
    return TurnContext(
        session=session,
        router=Router(parse_providers(settings.llm_providers)),
        now=now,
        retrieval_threshold=settings.retrieval_threshold,
        history_messages=settings.history_messages,
        max_inbound_chars=settings.max_inbound_chars,
    )


def _as_published(session: Session, *, prop: Property, entries: list[dict[str, Any]] | None) -> None:
    """Inside a savepoint: make these entries (a draft's) the newest version, so the turn reads them."""
    if entries is not None:
        assert prop.id is not None
        knowledge_service.publish(session, property_id=prop.id, entries=entries, author=DRAFT_AUTHOR, summary="")


def _turn(
    session: Session, *, prop: Property, text: str, address: str, now: datetime, settings: Settings
) -> TurnResult:
    # A preview conversation of its own: never a real guest's thread, always in bot mode.
    message = service.receive(
        session,
        prop=prop,
        channel=PREVIEW_CHANNEL,
        guest_address=address,
        property_address=PREVIEW_CHANNEL,
        body=text,
        now=now,
    )
    assert message is not None and message.id is not None
    return _graph().run(message.id, context=_context(session, now=now, settings=settings))


def preview_answer(
    session: Session,
    *,
    prop: Property,
    text: str,
    phone: str | None,
    now: datetime,
    settings: Settings,
    entries: list[dict[str, Any]] | None = None,
) -> Preview:
    """Run one turn as the guest `phone` (None: an unknown sender) would, on the published knowledge or on
    `entries` (a draft), inside a savepoint that is rolled back, so the preview writes nothing: no message, job,
    trace, escalation, outbox row or version survives."""
    savepoint = session.begin_nested()
    try:
        _as_published(session, prop=prop, entries=entries)
        result = _turn(session, prop=prop, text=text, address=phone or UNKNOWN_GUEST, now=now, settings=settings)
    finally:
        savepoint.rollback()
    return Preview(
        reply=result.reply,
        language=result.language,
        decision=result.decision,
        entry_ids=result.entry_ids,
        knowledge_version=None if entries is not None else result.knowledge_version,
        escalate=result.escalation.reason if result.escalation else None,
        access=str(result.trace.access) if result.trace.access else None,
    )


def check_cases(
    session: Session,
    *,
    prop: Property,
    cases: list[ReplyMark],
    draft: list[dict[str, Any]] | None,
    fixes: dict[str, str],
    now: datetime,
    settings: Settings,
) -> list[CaseCheck]:
    """Play every marked case on the published knowledge and, when given, on the draft (`fixes`: mark id → the
    draft's new entry that now answers it); nothing played is kept."""
    checks = []
    for mark in cases:
        kind, topics = mark.expect_kind, list(mark.expect_topics)
        published = _play(session, prop=prop, mark=mark, kind=kind, topics=topics, entries=None, now=now, s=settings)
        on_draft = None
        if draft is not None:
            if str(mark.id) in fixes:
                kind, topics = "answer", [fixes[str(mark.id)]]
            on_draft = _play(
                session, prop=prop, mark=mark, kind=kind, topics=topics, entries=draft, now=now, s=settings
            )
        checks.append(CaseCheck(mark, kind, topics, published, on_draft))
    return checks


def _play(
    session: Session,
    *,
    prop: Property,
    mark: ReplyMark,
    kind: str,
    topics: list[str],
    entries: list[dict[str, Any]] | None,
    now: datetime,
    s: Settings,
) -> CaseRun:
    """The case's messages as one conversation (each reply kept for the next turn), judged, then rolled back."""
    assert prop.id is not None
    savepoint = session.begin_nested()
    try:
        _as_published(session, prop=prop, entries=entries)
        address = UNKNOWN_GUEST
        if mark.guest == "booked":  # staying now, as the eval plays a booked guest
            today = knowledge_service.local_date(prop, now=now)
            stay = Reservation(
                property_id=prop.id,
                guest_name="Preview",
                phone=BOOKED_GUEST,
                check_in=today - timedelta(days=1),
                check_out=today + timedelta(days=2),
            )
            session.add(stay)
            address = BOOKED_GUEST
        result: TurnResult | None = None
        for text in mark.messages:
            result = _turn(session, prop=prop, text=text, address=address, now=now, settings=s)
            conversation = service.find_conversation(
                session, property_id=prop.id, channel=PREVIEW_CHANNEL, guest_address=address
            )
            if result.reply and conversation is not None:
                service.enqueue_reply(session, conversation=conversation, body=result.reply, author=Author.bot, now=now)
        current = knowledge_service.published_version(session, property_id=prop.id)
        known = current.entries if current else []
    finally:
        savepoint.rollback()
    return judge(kind, topics, result, known)


def judge(kind: str, topics: list[str], result: TurnResult | None, entries: list[dict[str, Any]]) -> CaseRun:
    """A marked case's last turn judged by the realistic suites' rules for its kind (answer, person, unknown)."""
    reply = result.reply if result is not None else ""
    cited = cited_topics(reply, entries)
    handed_over = result is not None and result.escalation is not None
    return CaseRun(
        reply=reply,
        missing=sorted(set(topics) - set(cited)) if kind == "answer" else [],
        wrong=sorted(set(cited) - set(topics)),
        not_handed_over=kind in ("person", "unknown") and not handed_over,
        no_reply=kind == "person" and not reply,
    )
