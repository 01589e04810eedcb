"""The owner's entry editor warns when one language changed and another still says the old thing ("French still
says 15:00"); "Save anyway" saves the warned-about entry into the draft, and only that one; the draft's review
warns again before publishing."""

from fastapi.testclient import TestClient

from concierge.core.db import session_scope
from knowledge import service as knowledge_service
from knowledge.models import Property
from tests.factories import add_user, publish_draft, sign_in

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
    assert warned.status_code == 200 and _versions(prop) == 1  # nothing saved or published yet
    assert "English still says 15:00" in warned.text and "Save anyway" in warned.text
    assert "a partir de las 16:00" in warned.text  # the owner's edit is kept in the form
    assert 'name="confirm" value="en:15:00"' in warned.text
    assert "Your draft is not published yet" not in client.get("/admin/p/casa-test").text

    other = client.post(URL, data={**_form(token, es="Desde las 17:00.", en="Check-in is from 15:00."), "confirm": "x"})
    assert "English still says 15:00" in other.text  # a confirmation of other warnings is no confirmation

    saved = client.post(URL, data={**form, "confirm": "en:15:00"})
    assert "Saved in your draft" in saved.text and _versions(prop) == 1  # saved, not published

    review = client.get("/admin/p/casa-test/draft")
    assert "Check-in: English still says 15:00" in review.text and "Publish anyway" in review.text
    refused = client.post("/admin/p/casa-test/draft/publish", data={"csrf_token": token, "confirm": "x"})
    assert refused.status_code == 422 and "Nothing was published" in refused.text and _versions(prop) == 1
    published = client.post(
        "/admin/p/casa-test/draft/publish", data={"csrf_token": token, "confirm": "check_in:en:15:00"}
    )
    assert "Published version 2" in published.text and _versions(prop) == 2


def test_editing_every_language_saves_without_warning_and_publishes(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    token = sign_in(client, "owner@example.com")
    response = client.post(URL, data=_form(token, es="Desde las 16:00.", en="Check-in is from 16:00."))
    assert "Saved in your draft" in response.text and "still says" not in response.text
    assert "Published version 2" in publish_draft(client).text
