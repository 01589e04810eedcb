"""The owner's entry editor warns before publishing when one language changed and another still says the old
thing ("French still says 15:00"); "Publish anyway" publishes the warned-about version, and only that one."""

from fastapi.testclient import TestClient

from concierge.core.db import session_scope
from knowledge import service as knowledge_service
from knowledge.models import Property
from tests.factories import add_user, sign_in

URL = "/admin/p/casa-test/entries/check_in"


def _form(token: str, **content: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "topic": "check_in",
        "title": "Check-in",
        "languages": ",".join(content),
        **{f"content.{language}": text for language, text in content.items()},
    }


def _versions(prop: Property) -> int:
    with session_scope(readonly=True) as s:
        assert prop.id is not None
        return len(knowledge_service.history(s, property_id=prop.id))


def test_editing_one_language_warns_about_the_others_before_publishing(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    token = sign_in(client, "owner@example.com")
    form = _form(token, es="La entrada es a partir de las 16:00.", en="Check-in is from 15:00.")
    warned = client.post(URL, data=form)
    assert warned.status_code == 200 and _versions(prop) == 1  # nothing published yet
    assert "English still says 15:00" in warned.text and "Publish anyway" in warned.text
    assert "a partir de las 16:00" in warned.text  # the owner's edit is kept in the form
    assert 'name="confirm" value="en:15:00"' in warned.text

    other = client.post(URL, data={**_form(token, es="Desde las 17:00.", en="Check-in is from 15:00."), "confirm": "x"})
    assert "English still says 15:00" in other.text and _versions(prop) == 1  # a confirmation of other warnings

    published = client.post(URL, data={**form, "confirm": "en:15:00"})
    assert "Published version 2" in published.text and _versions(prop) == 2


def test_editing_every_language_publishes_at_once(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    token = sign_in(client, "owner@example.com")
    response = client.post(URL, data=_form(token, es="Desde las 16:00.", en="Check-in is from 16:00."))
    assert "Published version 2" in response.text and "still says" not in response.text
