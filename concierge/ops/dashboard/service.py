"""The dashboard's numbers for one property and period, aggregated in SQL with a fixed number of queries.

Sources: messages (in/out by channel and day), traces (what each turn decided, its language, the router's
route), escalations (opened and claimed times), model calls (cost) and failed jobs. Staff-alert threads
(SMS to staff members) are not guest conversations and are left out everywhere.
"""

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, case, exists, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from concierge.conversation.models import Author, Conversation, Job, JobStatus, Message, Owner, Trace
from concierge.llm.models import ModelCall
from concierge.llm.types import FALLBACK_ROUTES, Route
from concierge.ops.dashboard.gaps import GapCluster, knowledge_gaps
from concierge.ops.dashboard.period import Period
from concierge.turn.result import NOT_ANSWERED, Decision
from escalation.models import Escalation, EscalationStatus
from knowledge.models import Property

# Routes where the provider chain fell back to the offline answer, plus the canned reply when even that failed.
FALLBACK = FALLBACK_ROUTES | {Route.offline_error}
TECHNICAL_ERROR = "technical_error"  # a turn that failed for good: the guest got the canned "technical problem"


class hour_bucket(FunctionElement[str]):  # noqa: N801  (an SQL function, named like one)
    """'YYYY-MM-DD HH' of a UTC timestamp on either database (days are then made local in Python)."""

    type = String()
    name = "hour_bucket"
    inherit_cache = True


@compiles(hour_bucket)
def _hour_sqlite(element: hour_bucket, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y-%m-%d %H', {compiler.process(element.clauses, **kw)})"


@compiles(hour_bucket, "postgresql")
def _hour_postgresql(element: hour_bucket, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"


@dataclass
class Day:
    day: date
    inbound: int = 0
    outbound: int = 0


@dataclass
class Dashboard:
    """Everything the page shows; shares and costs are None when there is nothing to divide by."""

    period: Period
    messages: dict[str, dict[str, int]] = field(default_factory=dict)  # channel -> {"in": n, "out": n}
    authors: Counter[str] = field(default_factory=Counter)  # outbound messages by author (bot, staff, system)
    days: list[Day] = field(default_factory=list)
    turns: int = 0  # guest messages the bot handled (staff-owned conversations only record)
    answered: int = 0  # replied without asking a person
    reasons: Counter[str] = field(default_factory=Counter)  # hand-off requests by reason
    languages: Counter[str] = field(default_factory=Counter)  # turns by the guest's language
    fallbacks: int = 0
    failed_turns: int = 0
    conversations: int = 0  # with a guest message in the period
    without_human: int = 0  # no hand-off, no staff message, never staff-owned in the period
    resolved: int = 0  # nothing left waiting for a person
    escalations: int = 0  # hand-offs opened in the period
    claimed: int = 0
    claim_minutes_median: float | None = None
    claim_minutes_p90: float | None = None
    cost_usd: float = 0.0
    model_calls: int = 0
    gaps: list[GapCluster] = field(default_factory=list)

    @property
    def inbound(self) -> int:
        """Guest messages received."""
        return sum(c["in"] for c in self.messages.values())

    @property
    def outbound(self) -> int:
        """Messages sent to guests (bot, staff and system notices)."""
        return sum(c["out"] for c in self.messages.values())

    @property
    def empty(self) -> bool:
        """Nothing happened in the period."""
        return not (self.inbound or self.outbound or self.turns or self.escalations or self.model_calls)

    @property
    def answered_share(self) -> float | None:
        """Turns answered without a person / turns."""
        return _share(self.answered, self.turns)

    @property
    def conversations_share(self) -> float | None:
        """Conversations handled without a person / conversations."""
        return _share(self.without_human, self.conversations)

    @property
    def fallback_rate(self) -> float | None:
        """Turns that fell back (or failed into the canned reply) / all turns, failed ones included."""
        return _share(self.fallbacks + self.failed_turns, self.turns + self.failed_turns)

    @property
    def cost_per_conversation(self) -> float | None:
        """Model spend / conversations."""
        return round(self.cost_usd / self.conversations, 6) if self.conversations else None

    @property
    def cost_per_resolved(self) -> float | None:
        """Model spend / resolved conversations."""
        return round(self.cost_usd / self.resolved, 6) if self.resolved else None


def _share(count: int, total: int) -> float | None:
    return round(count / total, 4) if total else None


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `fraction` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def _guest_conversations(prop: Property) -> Any:
    """The property's guest conversations (staff-alert threads excluded), as a join condition."""
    return and_(col(Conversation.property_id) == prop.id, col(Conversation.owner) != Owner.alerts)


def _in_period(column: Any, period: Period) -> Any:
    return and_(col(column) >= period.since, col(column) < period.until)


def build(session: Session, *, prop: Property, period: Period) -> Dashboard:
    """The dashboard of one property for one period (eight queries, whatever the traffic)."""
    board = Dashboard(period=period)
    _messages(session, board, prop=prop)
    _turns(session, board, prop=prop)
    _conversations(session, board, prop=prop)
    _escalations(session, board, prop=prop)
    cost, calls = session.exec(
        select(func.coalesce(func.sum(ModelCall.cost_usd), 0.0), func.count()).where(
            ModelCall.property_id == prop.id, _in_period(ModelCall.created_at, period)
        )
    ).one()
    board.cost_usd, board.model_calls = round(float(cost), 6), int(calls)
    board.gaps = knowledge_gaps(session, prop=prop, period=period)
    return board


def _messages(session: Session, board: Dashboard, *, prop: Property) -> None:
    period = board.period
    scope = (col(Conversation.id) == col(Message.conversation_id)) & _guest_conversations(prop)
    totals = session.exec(
        select(Conversation.channel, Message.direction, Message.author, func.count())
        .join(Conversation, scope)
        .where(_in_period(Message.created_at, period))
        .group_by(col(Conversation.channel), col(Message.direction), col(Message.author))
    )
    for channel, direction, author, count in totals:
        board.messages.setdefault(channel, {"in": 0, "out": 0})[direction] += count
        if direction == "out":
            board.authors[author] += count
    # Grouped in a subquery: PostgreSQL does not match two copies of an expression with bound parameters.
    hours = (
        select(hour_bucket(col(Message.created_at)).label("hour"), col(Message.direction).label("direction"))
        .join(Conversation, scope)
        .where(_in_period(Message.created_at, period))
        .subquery()
    )
    zone = ZoneInfo(prop.timezone)
    days = {day: Day(day) for day in period.days}
    for hour, direction, count in session.exec(
        select(hours.c.hour, hours.c.direction, func.count()).group_by(hours.c.hour, hours.c.direction)
    ):
        local = datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=UTC).astimezone(zone).date()
        if local in days:
            if direction == "in":
                days[local].inbound += count
            else:
                days[local].outbound += count
    board.days = list(days.values())


def _turns(session: Session, board: Dashboard, *, prop: Property) -> None:
    data = col(Trace.data)
    turns = (
        select(
            data["decision"].as_string().label("decision"),
            data["escalate"].as_string().label("escalate"),
            data["language"].as_string().label("language"),
            data[("llm", "route")].as_string().label("route"),
        )
        .join(Conversation, (col(Conversation.id) == col(Trace.conversation_id)) & _guest_conversations(prop))
        .where(_in_period(Trace.created_at, board.period))
        .subquery()
    )
    c = turns.c
    grouped = select(c.decision, c.escalate, c.language, c.route).add_columns(func.count())
    # sqlmodel types select() up to four columns; this one has five.
    rows = session.exec(grouped.group_by(c.decision, c.escalate, c.language, c.route))  # type: ignore[call-overload]
    for decision, escalate, language, route, count in rows:
        if decision in NOT_ANSWERED:
            continue
        board.turns += count
        if escalate:
            board.reasons[escalate] += count
        elif decision == Decision.reply:
            board.answered += count
        board.languages[language or "?"] += count
        if route in FALLBACK:
            board.fallbacks += count
    board.failed_turns = session.exec(
        select(func.count())
        .select_from(Job)
        .join(Conversation, (col(Conversation.id) == col(Job.conversation_id)) & _guest_conversations(prop))
        .where(Job.status == JobStatus.failed, _in_period(Job.finished_at, board.period))
    ).one()
    if board.failed_turns:
        board.reasons[TECHNICAL_ERROR] += board.failed_turns


def _conversations(session: Session, board: Dashboard, *, prop: Property) -> None:
    period, here = board.period, col(Conversation.id)
    guest_wrote = exists().where(
        col(Message.conversation_id) == here, col(Message.direction) == "in", _in_period(Message.created_at, period)
    )
    handed_off = exists().where(col(Escalation.conversation_id) == here, _in_period(Escalation.created_at, period))
    staff_wrote = exists().where(
        col(Message.conversation_id) == here,
        col(Message.author) == Author.staff,
        _in_period(Message.created_at, period),
    )
    staff_owned = exists().where(
        col(Trace.conversation_id) == here,
        col(Trace.data)["decision"].as_string().in_(sorted(NOT_ANSWERED)),
        _in_period(Trace.created_at, period),
    )
    waiting = exists().where(
        col(Escalation.conversation_id) == here,
        col(Escalation.created_at) < period.until,
        col(Escalation.status) != EscalationStatus.resolved,
    )
    total, alone, resolved = session.exec(
        select(
            func.count(),
            func.coalesce(func.sum(case((~handed_off & ~staff_wrote & ~staff_owned, 1), else_=0)), 0),
            func.coalesce(func.sum(case((~waiting, 1), else_=0)), 0),
        ).where(_guest_conversations(prop), guest_wrote)
    ).one()
    board.conversations, board.without_human, board.resolved = int(total), int(alone), int(resolved)


def _escalations(session: Session, board: Dashboard, *, prop: Property) -> None:
    rows = session.exec(
        select(Escalation.created_at, Escalation.claimed_at).where(
            Escalation.property_id == prop.id, _in_period(Escalation.created_at, board.period)
        )
    ).all()
    minutes = [(claimed - opened).total_seconds() / 60 for opened, claimed in rows if claimed is not None]
    board.escalations, board.claimed = len(rows), len(minutes)
    if minutes:
        board.claim_minutes_median = round(statistics.median(minutes), 1)
        board.claim_minutes_p90 = round(percentile(minutes, 0.9) or 0.0, 1)
