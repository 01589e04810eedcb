"""The entry editor's keywords field: one language per line, saved with the entry, shown again as typed."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from concierge.app import create_app
from concierge.core.db import session_scope
from knowledge import service as knowledge_service
from knowledge.admin.forms import keywords_from_text
from knowledge.models import Property
from tests.factories import add_user, publish_draft, sign_in

EDIT = {
    "languages": "es,en",
    "topic": "check_in",
    "title": "Check-in",
    "content.es": "La entrada es a partir de las 16:30.",
    "content.en": "Check-in is from 16:30.",
}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def test_keywords_text_is_read_one_language_per_line() -> None:
    text = "de: Ankunft, Anreise\n\n ja : チェックイン\n"
    assert keywords_from_text(text) == {"de": ["Ankunft", "Anreise"], "ja": ["チェックイン"]}


def test_an_owner_saves_keywords_and_sees_them_again(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    token = sign_in(client, "owner@example.com")
    data = {**EDIT, "keywords": "de: Ankunft, Anreise\npl: zameldowanie", "csrf_token": token}
    assert client.post("/admin/p/casa-test/entries/check_in", data=data).status_code == 200
    assert "Published version 2" in publish_draft(client).text
    with session_scope() as s:
        assert prop.id is not None
        version = knowledge_service.published_version(s, property_id=prop.id)
        assert version is not None
        entry = next(e for e in version.entries if e["topic"] == "check_in")
        assert entry["keywords"] == {"de": ["Ankunft", "Anreise"], "pl": ["zameldowanie"]}
    page = client.get("/admin/p/casa-test/entries/check_in").text
    assert "de: Ankunft, Anreise" in page and "pl: zameldowanie" in page


def test_a_keyword_line_without_a_language_is_refused(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    token = sign_in(client, "owner@example.com")
    response = client.post(
        "/admin/p/casa-test/entries/check_in", data={**EDIT, "keywords": "Ankunft", "csrf_token": token}
    )
    assert response.status_code == 422
    assert "is not a language tag" in response.text
