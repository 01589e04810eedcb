"""The improvement loop's figures: which replies count as wrong, the topics they were about, and the last run of a
property's marked cases.

A reply counts as wrong when someone marked it wrong (a staff member, or the guest) and the latest staff mark on it
does not say "right": a staff member who reads a guest's "that's wrong" and marks the reply right rejects it.
A run of the marked cases (`concierge eval --property SLUG --marked`, or the dashboard's button) is recorded in the
audit log with the knowledge version and the cases it ran, so the dashboard shows its result for as long as
neither changes, without playing the cases again (they go through the real turn pipeline, models included).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from concierge.conversation.marks import GUEST, WRONG, ReplyMark, wrong_replies
from concierge.conversation.models import Message
from concierge.users import audit
from concierge.users.audit import AuditEvent

RUN_ACTION = "cases.run"
NO_ENTRY = ""  # a reply given from no entry (it asked back, or handed the question over)


@dataclass
class WrongTopic:
    """One entry the replies marked wrong were given from (NO_ENTRY: none), with what was wrong and what to use."""

    topic: str
    replies: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)  # how they were marked (the latest mark of each reply)
    instead: Counter[str] = field(default_factory=Counter)  # the entries staff said they should have used


def wrong_topics(session: Session, *, property_id: int, since: datetime, until: datetime) -> list[WrongTopic]:
    """The entries that replies marked wrong in [since, until) were about, most marked first (one query)."""
    rows = session.exec(
        select(ReplyMark.reply_message_id, ReplyMark.verdict, ReplyMark.expect_topics, Message.entry_ids)
        .join(Message, col(Message.id) == col(ReplyMark.reply_message_id))
        .where(
            col(ReplyMark.reply_message_id).in_(wrong_replies(property_id)),
            col(ReplyMark.verdict).in_(WRONG),
            col(ReplyMark.created_at) >= since,
            col(ReplyMark.created_at) < until,
        )
        .order_by(col(ReplyMark.id))
    ).all()
    latest: dict[int, tuple[str, list[str], list[str]]] = {}
    for reply_id, verdict, expected, given in rows:  # a staff mark after the guest's is the one that counts
        if verdict != GUEST or reply_id not in latest:
            latest[reply_id] = (verdict, list(expected or []), [str(t) for t in given or []])
    topics: dict[str, WrongTopic] = {}
    for verdict, expected, given in latest.values():
        for topic in given or [NO_ENTRY]:
            row = topics.setdefault(topic, WrongTopic(topic))
            row.replies += 1
            row.verdicts[verdict] += 1
            row.instead.update(t for t in expected if t not in given)
    return sorted(topics.values(), key=lambda t: (-t.replies, t.topic))


def waiting_guest_marks(session: Session, *, property_id: int) -> list[ReplyMark]:
    """Guests' "that's wrong" marks no staff member has answered with a mark of their own yet, newest first."""
    later = aliased(ReplyMark)
    answered = (
        select(later.id)
        .where(
            later.reply_message_id == ReplyMark.reply_message_id,
            col(later.user_id).is_not(None),
            col(later.id) > ReplyMark.id,
        )
        .exists()
    )
    return list(
        session.exec(
            select(ReplyMark)
            .where(ReplyMark.property_id == property_id, ReplyMark.verdict == GUEST, ~answered)
            .order_by(col(ReplyMark.id).desc())
        )
    )


@dataclass(frozen=True)
class CaseRun:
    """One run of a property's marked cases: against which knowledge version, which cases, which failed."""

    at: datetime
    version: int | None
    cases: tuple[int, ...]  # the marks whose cases ran
    failed: tuple[str, ...]  # the failing cases' ids
    mode: str

    @property
    def passed(self) -> int:
        """How many cases passed."""
        return len(self.cases) - len(self.failed)

    @property
    def passing(self) -> frozenset[int]:
        """The marks whose cases passed (a failing case's id ends with its mark's id: "SLUG-mark-12")."""
        return frozenset(self.cases) - {int(case.rsplit("-", 1)[1]) for case in self.failed}

    def covers(self, *, version: int | None, cases: list[ReplyMark]) -> bool:
        """Whether this run played exactly these cases against this version (its result still holds)."""
        return self.version == version and self.cases == tuple(sorted(m.id for m in cases if m.id is not None))


def record_run(
    session: Session, *, slug: str, version: int | None, cases: list[int], failed: list[str], mode: str
) -> None:
    """Record a run of the property's marked cases in the audit log (the dashboard reads the latest)."""
    detail = {"version": version, "cases": sorted(cases), "failed": failed, "mode": mode}
    audit.record(session, user_id=None, action=RUN_ACTION, target=f"property:{slug}", detail=detail)


def last_run(session: Session, *, slug: str) -> CaseRun | None:
    """The latest recorded run of the property's marked cases (None: never run)."""
    event = session.exec(
        select(AuditEvent)
        .where(AuditEvent.target == f"property:{slug}", AuditEvent.action == RUN_ACTION)
        .order_by(col(AuditEvent.id).desc())
        .limit(1)
    ).first()
    if event is None:
        return None
    d = event.detail
    return CaseRun(
        at=event.at,
        version=d.get("version"),
        cases=tuple(int(i) for i in d.get("cases", [])),
        failed=tuple(str(i) for i in d.get("failed", [])),
        mode=str(d.get("mode", "")),
    )


def fixed_marks(session: Session, *, slug: str, published: int | None) -> frozenset[int]:
    """The marks whose cases passed when last played against the published version: their fix is live, so the
    pages show that instead of offering one."""
    run = last_run(session, slug=slug)
    return run.passing if run is not None and published is not None and run.version == published else frozenset()
