"""Sign-in and scope in-process: passwords, CSRF, session cookies, 404 for other owners' properties."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from concierge.app import create_app
from concierge.core.db import session_scope
from concierge.core.settings import get_settings
from concierge.users.audit import AuditEvent
from concierge.users.models import User
from knowledge.models import KnowledgeVersion, Property
from tests.factories import PASSWORD, add_user, concierge, csrf_of, other_property, publish_draft, sign_in

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


def version_count() -> int:
    with session_scope() as s:
        return len(s.exec(select(KnowledgeVersion)).all())


def test_pages_need_a_sign_in(client: TestClient, prop: Property) -> None:
    response = client.get("/admin/p/casa-test", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/admin/p/casa-test"


def test_login_then_edit_publishes_a_version(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    token = sign_in(client, "Owner@Example.com ")
    response = client.post("/admin/p/casa-test/entries/check_in", data={**EDIT, "csrf_token": token})
    assert response.status_code == 200 and "Saved in your draft" in response.text
    assert "Published version 2" in publish_draft(client).text
    with session_scope() as s:
        assert prop.id is not None
        from knowledge import service as knowledge_service

        version = knowledge_service.published_version(s, property_id=prop.id)
        assert version is not None and version.author == "owner@example.com"
        assert [e for e in version.entries if e["topic"] == "check_in"][0]["content"]["en"] == "Check-in is from 16:30."
        actions = [a.action for a in s.exec(select(AuditEvent).order_by(AuditEvent.id))]  # type: ignore[arg-type]
        assert actions == ["login", "kb.draft.save", "kb.publish"]


def test_invalid_edit_shows_every_problem_and_publishes_nothing(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    token = sign_in(client, "owner@example.com")
    data = {**EDIT, "content.es": " ", "content.en": "The door code is 4821.", "csrf_token": token}
    response = client.post("/admin/p/casa-test/entries/check_in", data=data)
    assert response.status_code == 422
    assert "content in &#39;es&#39; is empty" in response.text
    assert version_count() == 1


def test_post_without_csrf_token_is_refused(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    sign_in(client, "owner@example.com")
    assert client.post("/admin/p/casa-test/entries/check_in", data=EDIT).status_code == 403
    wrong = client.post("/admin/p/casa-test/entries/check_in", data={**EDIT, "csrf_token": "forged"})
    assert wrong.status_code == 403
    assert client.post("/admin/p/casa-test/rollback/1").status_code == 403
    assert version_count() == 1


def test_login_form_needs_its_csrf_token(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    client.get("/login")
    response = client.post("/login", data={"email": "owner@example.com", "password": PASSWORD})
    assert response.status_code == 403


def test_owner_of_a_cannot_reach_b_and_the_attempt_is_audited(client: TestClient, prop: Property) -> None:
    other_property()
    add_user("owner@example.com")
    token = sign_in(client, "owner@example.com")
    hidden = client.get("/admin/p/casa-b", headers={"accept": "text/html"})
    missing = client.get("/admin/p/no-such-place", headers={"accept": "text/html"})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text == missing.text  # nothing tells an existing property from a missing one
    assert client.get("/admin/p/casa-b/history").status_code == 404
    assert client.get("/admin/p/casa-b/pack.yaml").status_code == 404
    posted = client.post("/admin/p/casa-b/entries/check_in", data={**EDIT, "csrf_token": token})
    assert posted.status_code == 404
    assert version_count() == 2  # one per property, nothing new
    assert "Casa B" not in client.get("/admin").text
    with session_scope() as s:
        denied = s.exec(select(AuditEvent).where(AuditEvent.action == "denied")).all()
        assert sorted(e.target for e in denied) == [
            "property:casa-b",
            "property:casa-b",
            "property:casa-b",
            "property:casa-b",
            "property:no-such-place",
        ]


def test_admin_sees_every_property_and_staff_cannot_edit(client: TestClient, prop: Property) -> None:
    other_property()
    add_user("admin@example.com", role="admin", properties=())
    sign_in(client, "admin@example.com")
    assert client.get("/admin/p/casa-b").status_code == 200
    with TestClient(create_app()) as staff_client:
        add_user("staff@example.com", role="staff")
        sign_in_response = staff_client.get("/login")
        token = csrf_of(sign_in_response.text)
        staff_client.post("/login", data={"email": "staff@example.com", "password": PASSWORD, "csrf_token": token})
        assert staff_client.get("/admin/p/casa-test").status_code == 403


def test_unknown_email_and_wrong_password_look_the_same(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    token = csrf_of(client.get("/login").text)
    unknown = client.post("/login", data={"email": "nobody@example.com", "password": "x" * 12, "csrf_token": token})
    wrong = client.post("/login", data={"email": "owner@example.com", "password": "x" * 12, "csrf_token": token})
    assert unknown.status_code == wrong.status_code == 401
    assert "Wrong email or password." in unknown.text and "Wrong email or password." in wrong.text


def test_logout_ends_every_session_of_the_user(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    token = sign_in(client, "owner@example.com")
    stolen = client.cookies.get("concierge_session")
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    with TestClient(create_app()) as replay:
        replay.cookies.set("concierge_session", stolen or "")
        assert replay.get("/admin", follow_redirects=False).status_code == 303


def test_session_cookie_flags(monkeypatch: pytest.MonkeyPatch, prop: Property) -> None:
    add_user("owner@example.com")
    monkeypatch.setenv("PUBLIC_URL", "https://concierge.example.com")
    get_settings.cache_clear()
    with TestClient(create_app(), base_url="https://testserver") as secure:
        header = secure.get("/login").headers["set-cookie"].lower()
        assert "secure" in header and "httponly" in header and "samesite=lax" in header
    monkeypatch.setenv("PUBLIC_URL", "http://127.0.0.1:8000")
    get_settings.cache_clear()
    with TestClient(create_app()) as plain:
        assert "secure" not in plain.get("/login").headers["set-cookie"].lower()


def test_login_redirect_stays_on_this_site(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    token = csrf_of(client.get("/login?next=//evil.example/x").text)
    data = {"email": "owner@example.com", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/x"}
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.headers["location"] == "/admin"


def test_users_add_reads_the_password_from_stdin(prop: Property) -> None:
    result = concierge(
        "users",
        "add",
        "--email",
        "new@example.com",
        "--role",
        "owner",
        "--property",
        "casa-test",
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    with session_scope() as s:
        user = s.exec(select(User)).one()
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    short = concierge("users", "add", "--email", "b@example.com", "--role", "owner", stdin="short\n")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    nowhere = concierge(
        "users", "add", "--email", "c@example.com", "--role", "owner", "--property", "x", stdin=PASSWORD
    )
    assert nowhere.returncode == 2 and "no property with slug 'x'" in nowhere.stderr


def test_pack_download_is_audited(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com")
    sign_in(client, "owner@example.com")
    response = client.get("/admin/p/casa-test/pack.yaml")
    assert response.status_code == 200 and "casa-test" in response.text
    with session_scope() as s:
        exports = s.exec(select(AuditEvent).where(AuditEvent.action == "kb.export")).all()
        assert [e.target for e in exports] == ["property:casa-test"]
