"""The entry editor's form: the entry it describes, its keywords field, the warnings a "Save anyway" confirms."""

from typing import Any

from starlette.datastructures import FormData

from knowledge.lexicon import SUPPORTED_LANGUAGES, TOPICS
from knowledge.models import Property


def stale_key(stale: list[tuple[str, str]]) -> str:
    """The warnings a "Save anyway" confirms ("fr:15:00 en:15:00"); a different set asks again."""
    return " ".join(f"{language}:{fact}" for language, fact in stale)


def keywords_from_text(text: str) -> dict[str, list[str]]:
    """The keywords field, one language per line ("de: Fahrradschuppen, Fahrradkeller"), as the pack's map."""
    keywords: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip():
            language, _sep, words = line.partition(":")
            keywords.setdefault(language.strip().lower(), []).extend(w.strip() for w in words.split(","))
    return keywords


def entry_from_form(form: FormData) -> dict[str, Any]:
    """The entry a submitted form describes: languages kept in their order, removed ones dropped, one added."""
    content: dict[str, str] = {}
    for language in str(form.get("languages", "")).split(","):
        if language and not form.get(f"remove.{language}"):
            content[language] = str(form.get(f"content.{language}", ""))
    new_language = str(form.get("new_language", "")).strip().lower()
    if new_language:
        content[new_language] = str(form.get("new_content", ""))
    return {
        "topic": str(form.get("topic", "")).strip(),
        "title": str(form.get("title", "")),
        "sensitive": form.get("sensitive") == "on",
        "content": content,
        "keywords": keywords_from_text(str(form.get("keywords", ""))),
        "effective_from": str(form.get("effective_from", "")).strip() or None,
        "effective_until": str(form.get("effective_until", "")).strip() or None,
    }


def entry_page_context(
    prop: Property,
    entry: dict[str, Any],
    *,
    topic: str,
    problems: list[str] | None = None,
    new_language: str = "",
    stale: list[tuple[str, str]] | None = None,
    case: str = "",
) -> dict[str, Any]:
    """What admin/entry.html needs (`case`: the marked case a new entry is written for, saved with it)."""
    return {
        "stale": stale or [],
        "stale_key": stale_key(stale or []),
        "new_language": new_language,
        "prop": prop,
        "entry": entry,
        "topic": topic,
        "problems": problems or [],
        "languages": SUPPORTED_LANGUAGES,
        "topics": TOPICS,
        "case": case,
    }
