"""Publishing a draft over a version published since it was started: a three-way merge, entry by entry.

For each topic, with `base` the version the draft started from, `published` the version now live and `draft` the
owner's draft: an entry the draft did not touch takes the published one (so a rollback, an import or another
owner's edit made meanwhile is kept, also when it removed or added the entry); an entry only the draft changed
takes the draft's; an entry both changed differently is a conflict, published only once the owner chose a side.
"""

from dataclasses import dataclass
from typing import Any

DRAFT, PUBLISHED = "draft", "published"  # the sides an owner can keep for a conflicting entry


@dataclass(frozen=True)
class Clash:
    """An entry changed both in the draft and in a version published after the draft started."""

    topic: str
    title: str
    draft: dict[str, Any] | None  # None: the draft removed it
    published: dict[str, Any] | None  # None: the published version removed it


def merge(
    base: list[dict[str, Any]],
    published: list[dict[str, Any]],
    draft: list[dict[str, Any]],
    *,
    keep: dict[str, str] | None = None,
) -> tuple[list[dict[str, Any]], list[Clash]]:
    """The entries to publish and the conflicts left (a topic in `keep` is resolved to DRAFT or PUBLISHED)."""
    keep = keep or {}
    before = {e["topic"]: e for e in base}
    live = {e["topic"]: e for e in published}
    mine = {e["topic"]: e for e in draft}
    # The draft's order, then entries added by the published version only, in its order.
    order = [*mine, *(t for t in live if t not in mine and t not in before)]
    order += [t for t in live if t not in mine and t in before and before[t] != live[t]]  # draft removed, changed since
    merged: list[dict[str, Any]] = []
    clashes: list[Clash] = []
    for topic in order:
        b, p, d = before.get(topic), live.get(topic), mine.get(topic)
        if d == b:
            chosen = p
        elif p in (b, d):
            chosen = d
        elif keep.get(topic) in (DRAFT, PUBLISHED):
            chosen = d if keep[topic] == DRAFT else p
        else:
            title = str((d or p or b or {}).get("title", topic))
            clashes.append(Clash(topic=topic, title=title, draft=d, published=p))
            chosen = d
        if chosen is not None:
            merged.append(chosen)
    return merged, clashes
