"""The dashboard's improvement loop: the entries replies marked wrong were about, and whether the property's marked
cases pass on the published knowledge.

Playing the cases goes through the real turn pipeline (with the property's model providers, so it can cost money),
so the page never plays them: it shows the last recorded run while the published version and the cases are the
same (conversation/loop.py), and otherwise offers a button that plays them once in a `concierge eval --marked`
process of its own (the eval swaps the process's database for a scratch one, which a web process must never do).
"""

import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from concierge.conversation import loop, marks
from concierge.conversation.loop import NO_ENTRY, CaseRun, WrongTopic
from concierge.i18n import N_, gettext_for
from concierge.i18n.topics import topic_label
from concierge.ops.dashboard.period import Period
from knowledge import service as knowledge_service
from knowledge.models import KnowledgeVersion, Property

logger = logging.getLogger(__name__)
RUN_TIMEOUT_SECONDS = 600
TOP_TOPICS = 5
HOW = {  # how a reply was marked, in the owner's words
    marks.WRONG_TOPIC: N_("wrong topic"),
    marks.WRONG_FACTS: N_("wrong facts"),
    marks.HAND_OVER: N_("should have handed over"),
    marks.ANSWER: N_("should have answered"),
    marks.GUEST: N_("the guest said so"),
}


@dataclass(frozen=True)
class CasesStatus:
    """The property's marked cases against its published version: how many, and the run that still holds."""

    cases: int
    version: int | None
    run: CaseRun | None  # None: not played against this version and these cases yet

    @property
    def checked(self) -> bool:
        """Whether the numbers below are about the published version and the current cases."""
        return self.run is not None


def cases_status(session: Session, *, prop: Property, published: KnowledgeVersion | None) -> CasesStatus:
    """How many marked cases the property has and, when a run covers them on the published version, its result."""
    assert prop.id is not None
    cases = marks.cases(session, property_id=prop.id)
    version = published.version if published else None
    run = loop.last_run(session, slug=prop.slug) if cases else None
    holds = run is not None and run.covers(version=version, cases=cases)
    return CasesStatus(cases=len(cases), version=version, run=run if holds else None)


def section(session: Session, *, prop: Property, period: Period, language: str) -> dict[str, Any]:
    """What the dashboard's loop section shows: the top wrong topics and the marked cases' status (four queries
    at most: the published version, the wrong marks, the cases, their last run)."""
    assert prop.id is not None
    published = knowledge_service.published_version(session, property_id=prop.id)
    return {
        "wrong_topics": topic_rows(session, prop=prop, period=period, language=language, published=published),
        "cases": cases_status(session, prop=prop, published=published),
    }


def topic_rows(
    session: Session, *, prop: Property, period: Period, language: str, published: KnowledgeVersion | None
) -> list[dict[str, Any]]:
    """The top entries replies marked wrong in the period were about, in words: the entry's title, how many
    replies, how they were marked and which entries staff said they should have used."""
    assert prop.id is not None
    titles = {str(e["topic"]): str(e.get("title") or "") for e in (published.entries if published else [])}
    _ = gettext_for(language)

    def title(topic: str) -> str:
        label = titles.get(topic) or topic_label(topic, language=language)
        return label[:1].upper() + label[1:]

    found = loop.wrong_topics(session, property_id=prop.id, since=period.since, until=period.until)
    return [_row(t, title=title, _=_) for t in found[:TOP_TOPICS]]


def _row(t: WrongTopic, *, title: Any, _: Any) -> dict[str, Any]:
    how = ", ".join(f"{_(HOW[v])} ({n})" for v, n in t.verdicts.most_common() if v in HOW)
    return {
        "topic": t.topic,
        "title": title(t.topic) if t.topic != NO_ENTRY else _("No entry (it asked back or handed the question over)"),
        "replies": t.replies,
        "how": how,
        "instead": [title(topic) for topic, _n in t.instead.most_common(3)],
    }


def check_cases(slug: str) -> None:
    """Play the property's marked cases once in a process of their own, which records the run (the caller reads
    whether it did: a process that broke records nothing, whatever its exit code)."""
    command = [sys.executable, "-m", "concierge.cli", "eval", "--property", slug, "--marked"]
    try:
        done = subprocess.run(  # noqa: S603  (our own command, arguments from a visible property's slug)
            command, env=os.environ.copy(), capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        logger.warning("marked cases run timed out", extra={"property": slug})
        return
    if done.returncode not in (0, 1):  # 1: some case failed, which the run records like a pass
        logger.warning("marked cases run failed", extra={"property": slug, "exit": done.returncode})
