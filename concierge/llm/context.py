"""What a model is given to answer from: the property's whole published knowledge, within a token budget.

Retrieval only orders it. Every entry in effect is offered, best-ranked first, in the guest's language where the
entry has it, else English, else its original; past the budget the rest are listed by title only. A sensitive
entry is given in full only when the secrets policy allows; otherwise one line says it exists and when it is
released, so a model can tell the guest without ever seeing the code.
"""

import re
from dataclasses import dataclass
from typing import Any

from concierge.guard.secrets import Access
from concierge.llm.types import ResponseRequest

DEFAULT_CONTEXT_TOKENS = 6000
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")
_DIGIT_TOKEN = re.compile(r"[\w+:/.-]*\d[\w+:/.-]*")
WITHHELD = "[withheld]"


def estimate_tokens(text: str) -> int:
    """A provider-independent token estimate: one per CJK character, one per four other characters."""
    cjk = len(_CJK.findall(text))
    return cjk + (len(text) - cjk + 3) // 4


def text_for(entry: dict[str, Any], language: str) -> str:
    """The entry's content in `language`, else English, else its original (first) language."""
    content: dict[str, str] = entry["content"]
    for code in (language, "en"):
        if code in content:
            return content[code]
    return next(iter(content.values()), "")


def ranked(request: ResponseRequest) -> list[dict[str, Any]]:
    """Every entry in effect, the retrieved ones first (retrieval is a hint, never a gate)."""
    seen: set[str] = set()
    found = []
    for entry in [*request.entries, *request.related, *request.knowledge]:
        if entry["topic"] not in seen:
            seen.add(entry["topic"])
            found.append(entry)
    return found


@dataclass(frozen=True)
class Knowledge:
    text: str  # the knowledge block of the prompt
    given: list[dict[str, Any]]  # the entries given in full (the reply is grounded in these)
    titled: list[str]  # topics past the budget, listed by title only
    withheld: list[str]  # sensitive topics this guest may not see now
    tokens: int


def knowledge(request: ResponseRequest, *, budget: int = DEFAULT_CONTEXT_TOKENS) -> Knowledge:
    """The knowledge block: entries in full while the budget lasts, then titles; secrets only with access."""
    lines: list[str] = []
    given: list[dict[str, Any]] = []
    titled: list[str] = []
    withheld: list[str] = []
    used = 0
    for entry in ranked(request):
        if entry.get("sensitive") and request.access is not Access.allowed:
            line = f"- [{entry['topic']}] {entry['title']}: {_release_note(request)}"
            withheld.append(entry["topic"])
        else:
            line = f"- [{entry['topic']}] {entry['title']}: {' '.join(text_for(entry, request.language).split())}"
            cost = estimate_tokens(line)
            if used + cost > budget and given:  # the best-ranked entry is always given in full
                titled.append(entry["topic"])
                continue
            given.append(entry)
        used += estimate_tokens(line)
        lines.append(line)
    if titled:
        by_topic = {e["topic"]: e for e in request.knowledge}
        names = "; ".join(f"[{t}] {by_topic[t]['title']}" for t in titled if t in by_topic)
        lines.append(f"- Also written down, not shown here (a member of the team can answer): {names}")
    return Knowledge(text="\n".join(lines), given=given, titled=titled, withheld=withheld, tokens=used)


def _release_note(request: ResponseRequest) -> str:
    if request.access is Access.no_reservation:
        return "access details exist; they are given only to the phone number on the booking (not this sender)."
    if request.access is Access.too_early:
        return (
            f"access details exist; they are sent to this guest from {request.access_window_hours} hours before "
            "check-in (not yet)."
        )
    return "access details exist; this guest's stay has ended, so they are no longer given."


def redact(text: str, request: ResponseRequest) -> str:
    """A history message with the access details this guest may not receive now taken out."""
    if request.access is Access.allowed:
        return text
    public = " ".join(t for e in request.knowledge if not e.get("sensitive") for t in e["content"].values())
    for entry in request.knowledge:
        if not entry.get("sensitive"):
            continue
        for content in entry["content"].values():
            text = text.replace(content, WITHHELD)
            for token in _DIGIT_TOKEN.findall(content):
                token = token.strip(".,;:!?-/")
                if len(token) >= 3 and token not in public:
                    text = re.sub(rf"(?<!\w){re.escape(token)}(?!\w)", WITHHELD, text)
    return text
