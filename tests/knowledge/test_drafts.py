"""The owner's draft on a real database: saved without going live, previewed by the real turn, published as one
new version (merged with versions published since, never undoing them silently) or discarded."""

from datetime import UTC, datetime

import pytest

from concierge.core.db import session_scope
from concierge.core.errors import Conflict, InvalidInput, NotFound
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.turn.preview import preview_answer
from knowledge import drafts
from knowledge import service as knowledge_service
from knowledge.merge import DRAFT, PUBLISHED
from knowledge.models import KnowledgeDraft, Property
from knowledge.pack import parse_pack
from tests.factories import ask, pack_data

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
CHECK_IN = {
    "topic": "check_in",
    "title": "Check-in",
    "content": {"es": "La entrada es a partir de las 16:30.", "en": "Check-in is from 16:30."},
}


def save(prop: Property, entry: dict[str, object], replaces: str | None = "check_in") -> KnowledgeDraft:
    with session_scope() as s:
        assert prop.id is not None
        return drafts.save_entry(
            s, property_id=prop.id, entry=entry, replaces=replaces, author="o@example.com", now=NOW
        )


def published(prop: Property) -> tuple[int, dict[str, str]]:
    """The published version's number and its check-in texts."""
    with session_scope(readonly=True) as s:
        assert prop.id is not None
        version = knowledge_service.published_version(s, property_id=prop.id)
        assert version is not None
        return version.version, next(e["content"] for e in version.entries if e["topic"] == "check_in")


def publish(prop: Property, **kwargs: object) -> int | None:
    with session_scope() as s:
        assert prop.id is not None
        version, _fixes = drafts.publish(s, property_id=prop.id, author="o@example.com", **kwargs)  # type: ignore[arg-type]
        return version.version if version else None


def test_a_draft_is_not_live_until_published(prop: Property) -> None:
    draft = save(prop, CHECK_IN)
    assert draft.base_version == 1 and draft.edited_by == "o@example.com"
    assert published(prop)[0] == 1 and "15:00" in ask(prop, "¿a qué hora es el check-in?")["reply"]
    with session_scope(readonly=True) as s:
        assert prop.id is not None
        assert drafts.changed_topics(s, property_id=prop.id) == ["check_in"]
        assert [e["topic"] for e in drafts.working_entries(s, property_id=prop.id)][:2] == ["wifi", "check_in"]
    assert publish(prop) == 2
    assert published(prop) == (2, CHECK_IN["content"])
    assert "16:30" in ask(prop, "¿a qué hora es el check-in?")["reply"]
    with session_scope(readonly=True) as s:
        assert drafts.get_draft(s, property_id=prop.id or 0) is None  # published: the draft is gone


def test_the_preview_answers_from_the_draft_and_keeps_nothing(prop: Property) -> None:
    save(prop, CHECK_IN)
    with session_scope() as s:
        assert prop.id is not None
        draft = drafts.get_draft(s, property_id=prop.id)
        assert draft is not None
        on_draft = preview_answer(
            s,
            prop=prop,
            text="what time is check-in?",
            phone=None,
            now=utcnow(),
            settings=get_settings(),
            entries=draft.entries,
        )
        on_published = preview_answer(
            s, prop=prop, text="what time is check-in?", phone=None, now=utcnow(), settings=get_settings()
        )
    assert on_draft.reply == "Check-in is from 16:30." and on_draft.knowledge_version is None
    assert on_published.reply == "Check-in is from 15:00." and on_published.knowledge_version == 1
    assert published(prop)[0] == 1  # the draft's temporary version was rolled back


def test_discard_leaves_the_published_version_alone(prop: Property) -> None:
    save(prop, CHECK_IN)
    with session_scope() as s:
        assert drafts.discard(s, property_id=prop.id or 0) is True
        assert drafts.discard(s, property_id=prop.id or 0) is False
    assert published(prop) == (1, {"es": "La entrada es a partir de las 15:00.", "en": "Check-in is from 15:00."})
    with session_scope() as s, pytest.raises(NotFound):
        drafts.publish(s, property_id=prop.id or 0, author="o")


def test_publishing_keeps_an_import_made_after_the_draft_started(prop: Property) -> None:
    """An import publishes v2 (Wi-Fi changed); the draft started on v1 changed only check-in: both survive."""
    data = pack_data()
    data["knowledge"][0]["content"] = {"es": "Red Nueva, clave mar.", "en": "Network Nueva, password mar."}
    save(prop, CHECK_IN)
    with session_scope() as s:
        knowledge_service.import_pack(s, pack=parse_pack(data), author="import")
    assert publish(prop) == 3
    with session_scope(readonly=True) as s:
        version = knowledge_service.published_version(s, property_id=prop.id or 0)
        assert version is not None
        texts = {e["topic"]: e["content"].get("en") for e in version.entries}
    assert texts["wifi"] == "Network Nueva, password mar." and texts["check_in"] == "Check-in is from 16:30."


def test_an_entry_changed_on_both_sides_is_refused_until_the_owner_chooses(prop: Property) -> None:
    save(prop, CHECK_IN)
    other = {**CHECK_IN, "content": {"es": "Desde las 14:00.", "en": "From 14:00."}}
    with session_scope() as s:  # another owner publishes check-in directly (an edit before drafts, a CLI import)
        from knowledge import editing

        editing.save_entry(s, property_id=prop.id or 0, entry=other, replaces="check_in", author="b@example.com")
        s.flush()
        with pytest.raises(Conflict, match="Check-in"):
            drafts.publish(s, property_id=prop.id or 0, author="o@example.com")
    assert published(prop) == (2, other["content"])  # nothing was undone
    assert publish(prop, keep={"check_in": PUBLISHED}) is None  # theirs kept: nothing new to publish
    save(prop, CHECK_IN)
    assert publish(prop, keep={"check_in": DRAFT}) == 3
    assert published(prop) == (3, CHECK_IN["content"])


def test_languages_left_behind_need_a_confirmation(prop: Property) -> None:
    save(prop, {**CHECK_IN, "content": {"es": "Desde las 16:00.", "en": "Check-in is from 15:00."}})
    with session_scope(readonly=True) as s:
        review = drafts.review(s, property_id=prop.id or 0)
    assert review.stale == {"check_in": [("en", "15:00")]} and review.confirm_key == "check_in:en:15:00"
    with session_scope() as s, pytest.raises(InvalidInput):
        drafts.publish(s, property_id=prop.id or 0, author="o", confirm="x")
    assert publish(prop, confirm="check_in:en:15:00") == 2


def test_keywords_go_into_the_draft_and_the_guests_words_are_suggested(prop: Property) -> None:
    with session_scope() as s:
        entries = drafts.working_entries(s, property_id=prop.id or 0)
        assert drafts.suggested_keywords(entries, "Hola, soy [name] ([phone]): ¿hay sitio para mi autocaravana?") == [
            "autocaravana"
        ]
        drafts.add_keywords(
            s,
            property_id=prop.id or 0,
            topic="parking",
            language="es",
            words=["autocaravana", " "],
            author="o",
            now=NOW,
        )
        drafts.add_keywords(
            s, property_id=prop.id or 0, topic="parking", language="es", words=["Autocaravana"], author="o", now=NOW
        )
        with pytest.raises(InvalidInput):
            drafts.add_keywords(
                s, property_id=prop.id or 0, topic="parking", language="es", words=[], author="o", now=NOW
            )
        with pytest.raises(NotFound):
            drafts.add_keywords(
                s, property_id=prop.id or 0, topic="gym", language="es", words=["x"], author="o", now=NOW
            )
    with session_scope(readonly=True) as s:
        parking = next(e for e in drafts.working_entries(s, property_id=prop.id or 0) if e["topic"] == "parking")
    assert parking["keywords"] == {"es": ["autocaravana"]}
    assert published(prop)[0] == 1
