"""The owner's draft: edits saved without going live, previewed, then published as one new version or discarded.

A draft is not a KnowledgeVersion (the newest version is always the published one, and turns read only that).
Publishing merges the draft with any version published after the draft started (knowledge/merge.py), so a
rollback, an import or another owner's edit made meanwhile is never silently undone; an entry changed on both
sides is refused until the owner chooses which text to keep.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from concierge.core.errors import Conflict, InvalidInput, NotFound
from concierge.core.text import fold
from knowledge import editing
from knowledge import service as knowledge_service
from knowledge.diff import EntryChange, diff_entries, stale_languages
from knowledge.index import COMMON, STOPWORDS, TOKEN, build_index
from knowledge.merge import Clash, merge
from knowledge.models import KnowledgeDraft, KnowledgeVersion
from knowledge.pack import MAX_KEYWORD_CHARS, MAX_KEYWORDS

_PLACEHOLDER = re.compile(r"\[(name|phone|email)\]")


class Unconfirmed(InvalidInput):
    """Publishing would leave languages saying what an edit removed, and the owner has not confirmed those."""


@dataclass(frozen=True)
class Review:
    """What publishing the draft would do: its changes, the languages left behind, the conflicts to settle."""

    draft: KnowledgeDraft
    published: KnowledgeVersion | None
    changes: list[EntryChange]  # published → what would be published (merged)
    stale: dict[str, list[tuple[str, str]]]  # topic → (language, fact) still saying what the edit removed
    clashes: list[Clash]
    entries: list[dict[str, Any]]  # what would be published

    @property
    def confirm_key(self) -> str:
        """The warnings a "Publish anyway" confirms; a different set of warnings asks again."""
        return " ".join(f"{topic}:{lang}:{fact}" for topic, found in self.stale.items() for lang, fact in found)


def get_draft(session: Session, *, property_id: int) -> KnowledgeDraft | None:
    """The property's draft, if there is one."""
    return session.exec(select(KnowledgeDraft).where(KnowledgeDraft.property_id == property_id)).first()


def working_entries(session: Session, *, property_id: int) -> list[dict[str, Any]]:
    """What the editor shows: the draft's entries when there is a draft, else the published ones."""
    draft = get_draft(session, property_id=property_id)
    if draft is not None:
        return list(draft.entries)
    current = knowledge_service.published_version(session, property_id=property_id)
    return list(current.entries) if current else []


def changed_topics(session: Session, *, property_id: int) -> list[str]:
    """The topics the draft adds, changes or removes compared with the published version."""
    draft = get_draft(session, property_id=property_id)
    if draft is None:
        return []
    current = knowledge_service.published_version(session, property_id=property_id)
    changes = diff_entries(current.entries if current else [], draft.entries)
    return [c.topic for c in changes if c.status != "same"]


def _draft_for(session: Session, *, property_id: int, author: str, now: datetime) -> KnowledgeDraft:
    draft = get_draft(session, property_id=property_id)
    if draft is None:
        current = knowledge_service.published_version(session, property_id=property_id)
        draft = KnowledgeDraft(
            property_id=property_id,
            base_version=current.version if current else None,
            entries=list(current.entries) if current else [],
            edited_by=author,
            edited_at=now,
        )
    return draft


def _store(
    session: Session, draft: KnowledgeDraft, *, entries: list[dict[str, Any]], author: str, now: datetime
) -> None:
    draft.entries = entries  # a new list: the JSON column sees the change
    draft.edited_by, draft.edited_at = author, now
    session.add(draft)
    session.flush()


def save_entry(
    session: Session, *, property_id: int, entry: dict[str, Any], replaces: str | None, author: str, now: datetime
) -> KnowledgeDraft:
    """Put one validated entry into the draft (started from the published version when there is none)."""
    draft = _draft_for(session, property_id=property_id, author=author, now=now)
    entries = editing.with_entry(draft.entries, entry=entry, replaces=replaces)
    editing.check_new_secrets(draft.entries, entries)
    _store(session, draft, entries=entries, author=author, now=now)
    return draft


def remove_entry(session: Session, *, property_id: int, topic: str, author: str, now: datetime) -> KnowledgeDraft:
    """Take the entry on `topic` out of the draft."""
    draft = _draft_for(session, property_id=property_id, author=author, now=now)
    if topic not in {e["topic"] for e in draft.entries}:
        raise NotFound(f"no entry {topic!r}")
    _store(session, draft, entries=[e for e in draft.entries if e["topic"] != topic], author=author, now=now)
    return draft


def add_keywords(
    session: Session, *, property_id: int, topic: str, language: str, words: list[str], author: str, now: datetime
) -> KnowledgeDraft:
    """Add the guest's words as keywords of the entry on `topic`, in `language`, in the draft."""
    words = [w.strip() for w in words if w.strip()]
    if not words:
        raise InvalidInput(["keywords: write at least one word"])
    draft = _draft_for(session, property_id=property_id, author=author, now=now)
    entry = next((e for e in draft.entries if e["topic"] == topic), None)
    if entry is None:
        raise NotFound(f"no entry {topic!r}")
    keywords = {lang: list(found) for lang, found in (entry.get("keywords") or {}).items()}
    have = keywords.setdefault(language, [])
    have += [w for w in words if w.lower() not in {h.lower() for h in have}]
    if len(have) > MAX_KEYWORDS or any(len(w) > MAX_KEYWORD_CHARS for w in have):
        raise InvalidInput([f"keywords: at most {MAX_KEYWORDS}, each at most {MAX_KEYWORD_CHARS} characters"])
    return save_entry(
        session, property_id=property_id, entry={**entry, "keywords": keywords}, replaces=topic, author=author, now=now
    )


def record_fix(session: Session, draft: KnowledgeDraft, *, mark_id: int, topic: str) -> None:
    """Remember that the draft's entry on `topic` answers the marked case `mark_id` (its expectation on publish)."""
    draft.fixes = {**draft.fixes, str(mark_id): topic}
    session.add(draft)
    session.flush()


def discard(session: Session, *, property_id: int) -> bool:
    """Throw the draft away; False when there was none."""
    draft = get_draft(session, property_id=property_id)
    if draft is None:
        return False
    session.delete(draft)
    session.flush()
    return True


def _base_entries(session: Session, draft: KnowledgeDraft) -> list[dict[str, Any]]:
    if draft.base_version is None:
        return []
    return editing.get_version(session, property_id=draft.property_id, version=draft.base_version).entries


def review(session: Session, *, property_id: int, keep: dict[str, str] | None = None) -> Review:
    """What publishing the draft would publish, warn about and refuse; NotFound without a draft."""
    draft = get_draft(session, property_id=property_id)
    if draft is None:
        raise NotFound("there is no draft")
    current = knowledge_service.published_version(session, property_id=property_id)
    published = list(current.entries) if current else []
    clashes: list[Clash] = []
    if current is None or current.version == draft.base_version:
        entries = list(draft.entries)
    else:
        entries, clashes = merge(_base_entries(session, draft), published, draft.entries, keep=keep)
    before = {e["topic"]: e for e in published}
    stale = {e["topic"]: found for e in entries if (found := stale_languages(before.get(e["topic"]), e))}
    return Review(draft, current, diff_entries(published, entries), stale, clashes, entries)


def publish(
    session: Session, *, property_id: int, author: str, keep: dict[str, str] | None = None, confirm: str = ""
) -> tuple[KnowledgeVersion | None, dict[str, str]]:
    """Publish the draft as a new version and remove it; returns the version (None: nothing changed) and the
    draft's fixes (mark id → topic) for the caller to apply to the marked cases.

    Conflict while an entry changed on both sides is unsettled; InvalidInput while languages left behind are
    not confirmed (`confirm` must equal the review's confirm_key) or when the merge shows a secret's digits."""
    found = review(session, property_id=property_id, keep=keep)
    if found.clashes:
        titles = ", ".join(c.title for c in found.clashes)
        raise Conflict(f"changed in the draft and in a version published since: {titles}; choose which to keep")
    if found.stale and confirm != found.confirm_key:
        raise Unconfirmed(["languages left behind: confirm to publish anyway"])
    current = found.published
    published = list(current.entries) if current else []
    fixes = dict(found.draft.fixes)
    session.delete(found.draft)
    if current is not None and found.entries == published:
        session.flush()
        return None, fixes
    editing.check_new_secrets(published, found.entries)
    summary = knowledge_service.change_summary(published, found.entries)
    version = knowledge_service.publish(
        session, property_id=property_id, entries=found.entries, author=author, summary=summary
    )
    return version, fixes


def suggested_keywords(entries: list[dict[str, Any]], text: str) -> list[str]:
    """The guest's word worth adding as a keyword, as the guest wrote it, lowercased: the longest one the knowledge
    does not know yet ("autocaravana" from "¿hay sitio para mi autocaravana?"); general words ("sitio") would
    pull other questions to the entry, so only one is offered (the owner can edit the suggestion)."""
    index = build_index(entries)
    text = _PLACEHOLDER.sub(" ", text)  # a case's "[name]" and "[phone]" are not the guest's words
    words = [w for w in dict.fromkeys(TOKEN.findall(text.lower())) if not any(c.isdigit() for c in w)]
    content = [w for w in words if fold(w) not in STOPWORDS and fold(w) not in COMMON and len(w) >= 3]
    unknown = [w for w in content if fold(w) not in index.known]
    return sorted(unknown or content, key=len, reverse=True)[:1]
