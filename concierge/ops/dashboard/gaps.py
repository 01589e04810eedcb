"""Knowledge gaps: guest questions the concierge could not answer, grouped into clusters of the same question.

A turn is a gap when its trace says so: nothing in the knowledge base matched (`escalate: no_answer`), the
match was too weak and the guest was asked a clarifying question (`outcome: clarify`), or the model found
no answer in the matched entries (`llm.route: model_no_answer`). The question text comes from the guest's
message (blank once purged); phone numbers in it are masked before it is shown.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import or_
from sqlmodel import Session, col, select

from concierge.conversation.models import Conversation, Job, Message, Owner, Trace
from concierge.core.observability import redact_text
from concierge.core.text import fold
from concierge.llm.types import Route
from concierge.ops.dashboard.period import Period
from concierge.turn.result import Outcome
from knowledge.lexicon import FUNCTION_WORDS, SHARED_FUNCTION_WORDS
from knowledge.models import Property

# token_set_ratio (0-100) of two questions' content words from which they count as the same question.
# token_set_ratio scores word-set overlap: word order and extra words matter little, so "is there a gym
# nearby?" and "where is the nearest gym" meet (both reduce to "gym"; "rent bikes" / "bike rental" score 86),
# while "gym" / "bakery" (22) and "bring bike" / "bikes rent" (70) stay apart.
SAME_QUESTION = 80
MAX_QUESTIONS = 500  # newest gap questions read per page view: clustering cost stays bounded
MAX_CLUSTERS = 10
MAX_EXAMPLES = 3
EXAMPLE_CHARS = 160
_WORD = re.compile(r"\w+", re.UNICODE)
_STOPWORDS = frozenset(fold(w) for words in (*FUNCTION_WORDS.values(), SHARED_FUNCTION_WORDS) for w in words)
_SLUG_WORD = re.compile(r"[a-z0-9]+")
# Words that say where or how a guest asks, not what about: without them "gym nearby" and "bakery nearby"
# share nothing, and "nearest gym" and "gym near here" are the same question.
_GENERIC = frozenset(
    fold(w)
    for w in (
        "by near nearby nearest close closest around here area know tell get find recommend good best time "
        "cerca cercano cercana próximo próxima zona recomendar recomiendas bueno buena mejor hora "
        "qu près proche proches ici coin quartier recommander bon bonne meilleur heure "
        "nähe nahe nächste gegend hier empfehlen gut gute beste uhr zeit "
        "vicino vicina vicini qui zona consigliare consigli buono migliore ora orario "
        "perto próximo aqui bairro recomendar bom boa melhor hora "
        "buurt dichtbij dichtstbijzijnde hier omgeving aanraden goed goede beste tijd "
        "blisko niedaleko najbliższy najbliższa okolica polecić dobry dobra najlepszy godzina"
    ).split()
)


@dataclass
class Gap:
    """One unanswered question."""

    text: str
    language: str | None
    at: datetime
    closest: list[str]  # topics the guest was asked to confirm (clarifying question), if any


@dataclass
class GapCluster:
    """Questions that ask the same thing, with what the editor needs to add an entry for them."""

    key: str  # the first question's key: later questions are compared with it
    label: str = ""  # the shortest key of its questions: the plainest words for what they ask
    count: int = 0
    examples: list[str] = field(default_factory=list)
    languages: Counter[str] = field(default_factory=Counter)
    closest: Counter[str] = field(default_factory=Counter)
    latest: datetime | None = None

    @property
    def topic(self) -> str:
        """A custom topic for a new entry, from the question's content words ("custom:gym-nearby")."""
        words = _SLUG_WORD.findall(fold(self.label or self.key).encode("ascii", "ignore").decode())
        slug = "-".join(words[:4])[:40].strip("-")
        return f"custom:{slug or 'new-topic'}"

    @property
    def language(self) -> str | None:
        """The language most of these questions were asked in."""
        return self.languages.most_common(1)[0][0] if self.languages else None


def question_key(text: str) -> str:
    """The question's content words, folded (lowercase, no accents), without function and generic words."""
    words = [fold(w) for w in _WORD.findall(text)]
    content = [w for w in words if len(w) > 1 and w not in _STOPWORDS and w not in _GENERIC and not w.isdigit()]
    return " ".join(content or words)


def cluster(gaps: list[Gap]) -> list[GapCluster]:
    """Group gaps whose keys are SAME_QUESTION-similar to a cluster's first question; biggest, newest first."""
    clusters: list[GapCluster] = []
    keys: list[str] = []
    for gap in sorted(gaps, key=lambda g: g.at, reverse=True):
        key = question_key(gap.text)
        if not key:
            continue
        found = process.extractOne(key, keys, scorer=fuzz.token_set_ratio, score_cutoff=SAME_QUESTION)
        if found is None:
            clusters.append(GapCluster(key=key))
            keys.append(key)
            target = clusters[-1]
        else:
            target = clusters[found[2]]
        target.count += 1
        if not target.label or len(key) < len(target.label):
            target.label = key
        target.latest = max(target.latest or gap.at, gap.at)
        example = redact_text(gap.text.strip())[:EXAMPLE_CHARS]
        if len(target.examples) < MAX_EXAMPLES and example not in target.examples:
            target.examples.append(example)
        if gap.language:
            target.languages[gap.language] += 1
        target.closest.update(gap.closest)
    return sorted(clusters, key=lambda c: c.count, reverse=True)  # stable: newest first among equal counts


def _is_gap() -> Any:
    data = col(Trace.data)
    return or_(
        data["escalate"].as_string() == "no_answer",
        data["outcome"].as_string() == Outcome.clarify,
        data[("llm", "route")].as_string() == Route.model_no_answer,
    )


def knowledge_gaps(session: Session, *, prop: Property, period: Period) -> list[GapCluster]:
    """The period's biggest clusters of unanswered questions (one query over the newest MAX_QUESTIONS)."""
    data = col(Trace.data)
    rows = session.exec(
        select(Message.body, Trace.created_at, data["language"].as_string(), data["clarify"])
        .join(Job, col(Job.id) == col(Trace.job_id))
        .join(Message, col(Message.id) == col(Job.message_id))
        .join(Conversation, col(Conversation.id) == col(Trace.conversation_id))
        .where(
            Conversation.property_id == prop.id,
            Conversation.owner != Owner.alerts,
            col(Trace.created_at) >= period.since,
            col(Trace.created_at) < period.until,
            _is_gap(),
        )
        .order_by(col(Trace.id).desc())
        .limit(MAX_QUESTIONS)
    ).all()
    gaps = [
        Gap(text=body, language=language, at=at, closest=[str(t) for t in clarify or []])
        for body, at, language, clarify in rows
        if body.strip()
    ]
    return cluster(gaps)[:MAX_CLUSTERS]
