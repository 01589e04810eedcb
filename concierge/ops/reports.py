"""Turn statistics from traces, and the drift report: the last 7 days against the 28 before them.

Read from traces only (decisions, escalation reasons, languages), so no guest text is involved.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from concierge.conversation import marks
from concierge.conversation.models import Conversation, Trace
from concierge.turn.result import NOT_ANSWERED, Decision

# A drift worth a line of its own in the report (absolute change of a share).
NOTABLE_CHANGE = 0.10


@dataclass
class PeriodStats:
    """What the bot did with the guests' messages in one period."""

    since: datetime
    until: datetime
    turns: int = 0  # guest messages the bot handled (staff-owned conversations excluded)
    answered: int = 0  # replied without asking a person
    escalated: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)

    def rate(self, count: int) -> float | None:
        """count / turns, or None without turns."""
        return round(count / self.turns, 4) if self.turns else None

    def shares(self) -> dict[str, float]:
        """Each guest language's share of the turns."""
        return {lang: round(n / self.turns, 4) for lang, n in self.languages.most_common()} if self.turns else {}


def period_stats(session: Session, *, since: datetime, until: datetime, property_id: int | None = None) -> PeriodStats:
    """Count the traces recorded in [since, until), for one property or all."""
    query = select(Trace.data).where(col(Trace.created_at) >= since, col(Trace.created_at) < until)
    if property_id is not None:
        query = query.join(Conversation, col(Conversation.id) == col(Trace.conversation_id)).where(
            Conversation.property_id == property_id
        )
    stats = PeriodStats(since=since, until=until)
    for data in session.exec(query):
        if data.get("decision") in NOT_ANSWERED:
            continue
        stats.turns += 1
        if data.get("escalate"):
            stats.escalated += 1
            stats.reasons[str(data["escalate"])] += 1
        elif data.get("decision") == Decision.reply:
            stats.answered += 1
        stats.languages[str(data.get("language") or "?")] += 1
    return stats


def drift(
    session: Session, *, now: datetime, property_id: int | None = None, recent_days: int = 7, baseline_days: int = 28
) -> dict[str, Any]:
    """The recent period against the baseline before it: answer and escalation rates and languages, with deltas."""
    split = now - timedelta(days=recent_days)
    recent = period_stats(session, since=split, until=now, property_id=property_id)
    baseline = period_stats(session, since=split - timedelta(days=baseline_days), until=split, property_id=property_id)

    def delta(a: float | None, b: float | None) -> float | None:
        return round(a - b, 4) if a is not None and b is not None else None

    rows = {}
    for name, r, b in (
        ("answer_rate", recent.rate(recent.answered), baseline.rate(baseline.answered)),
        ("escalation_rate", recent.rate(recent.escalated), baseline.rate(baseline.escalated)),
        (
            "marked_wrong_rate",  # bot replies marked wrong by staff or a guest (concierge/conversation/marks.py)
            marks.wrong_rate(session, since=split, until=now, property_id=property_id),
            marks.wrong_rate(session, since=baseline.since, until=split, property_id=property_id),
        ),
    ):
        rows[name] = {"recent": r, "baseline": b, "delta": delta(r, b)}
    recent_shares, baseline_shares = recent.shares(), baseline.shares()
    languages = {
        lang: {
            "recent": recent_shares.get(lang, 0.0),
            "baseline": baseline_shares.get(lang, 0.0),
            "delta": round(recent_shares.get(lang, 0.0) - baseline_shares.get(lang, 0.0), 4),
        }
        for lang in sorted({*recent_shares, *baseline_shares})
    }
    return {
        "recent": {"since": recent.since, "until": recent.until, "turns": recent.turns},
        "baseline": {"since": baseline.since, "until": baseline.until, "turns": baseline.turns},
        "rates": rows,
        "languages": languages,
        "recent_reasons": dict(recent.reasons.most_common()),
    }


def render_drift(report: dict[str, Any], *, title: str) -> str:
    """The drift report as a few lines an owner can read."""

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value * 100:.1f}%"

    def pts(value: float | None) -> str:
        return "-" if value is None else f"{value * 100:+.1f} pts"

    recent, baseline = report["recent"], report["baseline"]
    lines = [
        f"Drift report: {title}",
        f"last {(recent['until'] - recent['since']).days} days: {recent['turns']} guest messages; "
        f"previous {(baseline['until'] - baseline['since']).days} days: {baseline['turns']}",
        "",
    ]
    for name, row in report["rates"].items():
        label = name.replace("_", " ")
        lines.append(f"{label:<16} {pct(row['recent']):>7} (was {pct(row['baseline'])}, {pts(row['delta'])})")
    lines.append("\nguest languages: " + ", ".join(
        f"{lang} {pct(row['recent'])} ({pts(row['delta'])})" for lang, row in report["languages"].items()
    ))  # fmt: skip
    if report["recent_reasons"]:
        lines.append("escalations this week: " + ", ".join(f"{r} {n}" for r, n in report["recent_reasons"].items()))
    notable = [
        f"{name.replace('_', ' ')} moved {pts(row['delta'])}"
        for name, row in [*report["rates"].items(), *(("language " + k, v) for k, v in report["languages"].items())]
        if row["delta"] is not None and abs(row["delta"]) >= NOTABLE_CHANGE
    ]
    lines.append("\nnotable: " + ("; ".join(notable) if notable else "nothing moved by 10 points or more"))
    return "\n".join(lines)
