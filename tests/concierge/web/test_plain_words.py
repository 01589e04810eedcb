"""Hosts and staff read sentences, never internal identifiers: every page a signed-in owner or staff member opens
is scanned for snake_case words, `policy:` / `staff:N` values, `~topic` summaries and owner codes."""

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from escalation.models import Escalation
from knowledge import editing
from knowledge.models import Property
from tests.factories import ANA, JOHN, STRANGER, add_user, csrf_of, guest_asks_for_person, guest_says, sign_in

INTERNAL = re.compile(
    r"\b[a-z]+(?:_[a-z0-9]+)+\b"  # snake_case: check_in, too_early, unassigned_human
    r"|\bpolicy:|\bstaff:\d|\bcustom:|unassigned-human"
    r"|(?<!\w)[~+-](?:check|wifi|access|parking|pool)\w*"  # a version summary's "~check_in"
)


class _VisibleText(HTMLParser):
    """The text a reader sees as labels: no tags, attributes, scripts or styles, and no <code>, which shows
    something to type exactly (the CSV header `guest_name,phone,…`, a command)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def internal_words(html: str) -> list[str]:
    """Internal identifiers found in a page's visible text."""
    parser = _VisibleText()
    parser.feed(html)
    return INTERNAL.findall(" ".join(parser.parts))


def test_internal_words_are_found_when_present() -> None:
    page = (
        "<p>Access codes too_early</p><p>~check_in</p><script>let a_b = 1</script><p title='x_y'><code>c_d</code></p>"
    )
    assert internal_words(page) == ["too_early", "~check_in"]
    assert internal_words("<p>claimed by staff:2, policy:gas</p>") == ["staff:2", "policy:"]


DRAFT_EDIT = {"topic": "check_in", "title": "Check-in", "languages": "en", "content.en": "From 17:00, keys in box."}


def test_owner_and_staff_pages_are_in_plain_words(client: TestClient, prop: Property) -> None:
    guest_says(prop, "what is the wifi password?")
    guest_says(prop, "what is the door code?", phone=STRANGER)  # refused: not on a booking
    conversation = guest_asks_for_person(prop)
    add_user("owner@example.com", role="owner", properties=("casa-test",))
    add_user("marta@example.com", role="staff", properties=("casa-test",))
    from concierge.core.db import session_scope

    with session_scope() as s:
        assert prop.id is not None
        entry = {"topic": "check_in", "title": "Check-in", "content": {"en": "Check-in is from 16:00."}}
        editing.save_entry(s, property_id=prop.id, entry=entry, replaces="check_in", author="owner@example.com")
    sign_in(client, "marta@example.com", next="/console")
    token = csrf_of(client.get(f"/console/conversations/{conversation}").text)
    assert client.post(f"/console/conversations/{conversation}/claim", data={"csrf_token": token}).status_code == 200
    note = client.post(f"/console/conversations/{conversation}/note", data={"csrf_token": token, "body": "Called her."})
    assert note.status_code == 200
    staff_pages = ["/console", "/console/queue", f"/console/conversations/{conversation}", "/console/account"]
    for path in staff_pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert internal_words(response.text) == [], path
    queue = client.get("/console").text
    assert "Ana López" in queue and "SMS" in queue and "Claimed by you" in queue
    client.cookies.clear()

    sign_in(client, "owner@example.com")
    slug = "/admin/p/casa-test"
    owner_pages = ["/admin", slug, f"{slug}/entries/check_in", f"{slug}/entries/_new", f"{slug}/history"]
    owner_pages += [f"{slug}/reservations", f"{slug}/preview", f"{slug}/pack"]
    for path in [*owner_pages, f"{slug}/dashboard", "/console", f"/console/conversations/{conversation}"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert internal_words(response.text) == [], path
    token = csrf_of(client.get(f"{slug}/preview").text)
    for phone, verdict in ((JOHN, "the access window has not opened yet"), (ANA, "may get the door code now")):
        preview = client.post(f"{slug}/preview", data={"csrf_token": token, "question": "door code?", "phone": phone})
        assert preview.status_code == 200 and verdict in preview.text
        assert internal_words(preview.text) == [], phone
    draft = {**DRAFT_EDIT, "csrf_token": token}
    assert "Saved in your draft" in client.post(f"{slug}/entries/check_in", data=draft).text
    for path in (f"{slug}/draft", slug):  # the review page and the editor with its draft banner
        response = client.get(path)
        assert response.status_code == 200 and internal_words(response.text) == [], path
    checked = client.post(f"{slug}/draft/check", data={"csrf_token": token})
    assert checked.status_code == 200 and internal_words(checked.text) == []
    history = client.get(f"{slug}/history").text
    assert "Changed: check-in" in history and "Imported from a pack." in history
    assert "Claimed by marta@example.com" in client.get("/console").text
    seen_by_owner = client.get(f"/console/conversations/{conversation}").text
    assert "Claimed by marta@example.com" in seen_by_owner and "marta@example.com · " in seen_by_owner  # the note
    assert Escalation  # the queue above listed the escalation the guest's request opened
