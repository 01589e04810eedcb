"""Turn traces: what the trace keeps of the router's work, and the timeline a person reads a trace as.

The turn's record step writes the trace from its `TurnResult` (turn/record.py `trace_data`).

A trace never holds the guest's text or phone number: the guest is a pseudonym, the inbound message and the
reply are referenced by message id with their length (and the reply's digest), so their bodies live only in
the transcript, where the retention purge (`concierge purge`) blanks them.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlmodel import Session, col, select

from concierge.conversation.models import Conversation, Job, Message, Trace
from knowledge.models import Property

# Built once: a plain insert costs a fraction of an ORM flush, and every turn writes one (docs/benchmarks.md, issue 22).
_TRACES: Table = Trace.__table__  # type: ignore[attr-defined]
_INSERT_TRACE = insert(_TRACES)


def add_trace(
    session: Session,
    *,
    job_id: int,
    conversation_id: int,
    reply_message_id: int | None,
    data: dict[str, Any],
    now: datetime,
) -> None:
    """Store a turn's trace (a plain insert: the session holds no object for it)."""
    values = {
        "job_id": job_id,
        "conversation_id": conversation_id,
        "reply_message_id": reply_message_id,
        "data": data,
        "created_at": now,
    }
    session.execute(_INSERT_TRACE, values)


def reply_digest(text: str) -> str:
    """A short digest of a reply: tells two replies apart without storing them."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# -- reading traces ------------------------------------------------------------------------------------


@dataclass
class Bar:
    """One row of the timeline: a node or a model call, placed by start offset and duration."""

    label: str
    kind: str  # "node" or "call"
    start_ms: float
    ms: float
    x: float = 0.0  # percent of the timeline's width
    width: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class TraceView:
    """A trace with what the page shows beside it."""

    trace: Trace
    conversation: Conversation
    inbound: Message | None
    reply: Message | None
    bars: list[Bar]
    total_ms: float


def timeline(data: dict[str, Any]) -> tuple[list[Bar], float]:
    """Node bars and model-call bars (nested under `respond`) with their x/width in percent of the turn."""
    bars: list[Bar] = []
    offset = 0.0
    for node in data.get("nodes", []):
        start = float(node.get("start_ms", offset))  # traces older than start offsets: laid end to end
        bars.append(Bar(label=node["node"], kind="node", start_ms=start, ms=float(node.get("ms", 0.0))))
        offset = start + float(node.get("ms", 0.0))
        if node["node"] == "respond":
            llm = data.get("llm") or {}
            base = float(llm.get("start_ms", start))
            for call in llm.get("calls", []):
                bars.append(
                    Bar(
                        label=f"{call.get('provider')} · {call.get('purpose', 'answer')} #{call.get('attempt', '-')}",
                        kind="call",
                        start_ms=base + float(call.get("at_ms", 0.0)),
                        ms=float(call.get("ms", 0.0)),
                        detail=call,
                        error=call.get("error"),
                    )
                )
    total = max((b.start_ms + b.ms for b in bars), default=0.0) or 1.0
    for bar in bars:
        bar.x = round(100 * bar.start_ms / total, 2)
        bar.width = max(round(100 * bar.ms / total, 2), 0.3)  # a 0 ms node stays visible
    return bars, round(total, 2)


def trace_view(session: Session, *, trace_id: int) -> TraceView | None:
    """A trace with its conversation, the guest message it answered and the reply it sent (three reads)."""
    row = session.exec(
        select(Trace, Conversation, Message)
        .join(Job, col(Job.id) == col(Trace.job_id))
        .join(Conversation, col(Conversation.id) == col(Trace.conversation_id))
        .join(Message, col(Message.id) == col(Job.message_id))
        .where(Trace.id == trace_id)
    ).first()
    if row is None:
        return None
    trace, conversation, inbound = row
    reply_id = (trace.data.get("reply") or {}).get("message_id")
    reply = session.get(Message, reply_id) if reply_id else None
    bars, total = timeline(trace.data)
    return TraceView(trace=trace, conversation=conversation, inbound=inbound, reply=reply, bars=bars, total_ms=total)


def reply_traces(session: Session, *, conversation_id: int) -> dict[int, int]:
    """The trace id of each bot reply in a conversation, by reply message id (one query)."""
    rows = session.exec(
        select(Trace.id, Trace.reply_message_id).where(
            Trace.conversation_id == conversation_id, col(Trace.reply_message_id).is_not(None)
        )
    )
    return {message_id: trace_id for trace_id, message_id in rows if trace_id is not None and message_id is not None}


@dataclass
class StoredTurn:
    """A recorded turn as exporters see it: the trace and where it happened (ids and slugs, no guest data)."""

    job_id: int
    conversation_id: int
    property_slug: str
    channel: str
    data: dict[str, Any]


def stored_turn(session: Session, *, job_id: int) -> StoredTurn | None:
    """The committed trace of a job with its conversation's property and channel (one query)."""
    row = session.exec(
        select(Trace, Conversation.channel, Property.slug)
        .join(Conversation, col(Conversation.id) == col(Trace.conversation_id))
        .join(Property, col(Property.id) == col(Conversation.property_id))
        .where(Trace.job_id == job_id)
    ).first()
    if row is None:
        return None
    trace, channel, slug = row
    return StoredTurn(
        job_id=job_id, conversation_id=trace.conversation_id, property_slug=slug, channel=channel, data=trace.data
    )


def replied_since(session: Session, *, conversation_id: int, verdict: str, since: datetime) -> bool:
    """Whether a turn with this verdict sent a reply in the conversation since then (e.g. an acknowledgement)."""
    found = session.exec(
        select(Trace.id)
        .where(
            Trace.conversation_id == conversation_id,
            col(Trace.reply_message_id).is_not(None),
            col(Trace.created_at) >= since,
            col(Trace.data)["verdict"].as_string() == verdict,
        )
        .limit(1)
    ).first()
    return found is not None
