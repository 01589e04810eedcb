"""Owner and staff pages in the reader's language (DESIGN.md rule 8): the signed-in user's for the admin, dashboard
and trace pages; the session's or the browser's (Accept-Language) for sign-in and error pages; English otherwise.
Owners' content (property names, knowledge titles) and guests' messages stay as written."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from concierge.core.db import session_scope
from concierge.core.modelbase import utcnow
from concierge.core.settings import get_settings
from concierge.users import service as users_service
from concierge.users.models import User
from concierge.web.rendering import negotiate
from knowledge.models import Property
from tests.factories import GOOD_WIFI, JOHN, add_user, csrf_of, guest_says, seed_traffic, signed_in_page, trace_of
from tests.fakes.openai_api import FakeModelAPI, use_openai


def test_owner_in_spanish_sees_properties_editor_and_dashboard_in_spanish(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_traffic(monkeypatch, utcnow() - timedelta(minutes=2))
    add_user("duena@example.com", role="owner", language="es")

    properties = signed_in_page(client, "duena@example.com")
    assert '<html lang="es">' in properties
    assert "<h1>Tus alojamientos</h1>" in properties and "Your properties" not in properties
    assert ">Casa Test</a>" in properties  # the owner's own name for the property is not translated
    assert '<a href="/console/account">Cuenta</a>' in properties  # the one header: sections the role may use
    assert '<a href="/admin" aria-current="page">Conocimiento</a>' in properties
    assert "Cerrar sesión" in properties and "Sign out" not in properties

    editor = client.get("/admin/p/casa-test").text
    assert "<h2>Entradas</h2>" in editor and ">Editar</a>" in editor and "Añadir entrada" in editor
    assert 'aria-label="Editar Wi-Fi"' in editor  # the entry's title, as the owner wrote it
    assert ">Conocimiento</a>" in editor and ">Historial</a>" in editor
    for english in ("Entries", "Add entry", "Version history", ">Knowledge<"):
        assert english not in editor

    board = client.get("/admin/p/casa-test/dashboard?period=7d").text
    assert '<html lang="es">' in board and "<h1>Panel</h1>" in board
    assert '<title id="chart-reasons-title">Derivaciones por motivo</title>' in board
    assert "entrantes, " in board and " in, " not in board  # the daily chart's description and tooltips
    assert "inglés" in board  # the guests' language names, written in Spanish
    assert "Lagunas de conocimiento" in board and "Knowledge gaps" not in board


def test_owner_changes_language_from_the_admin(client: TestClient, prop: Property) -> None:
    add_user("owner@example.com", role="owner", language="en")
    page = signed_in_page(client, "owner@example.com")
    assert '<html lang="en">' in page and "<h1>Your properties</h1>" in page

    account = client.get("/console/account?back=admin").text
    assert '<a href="/admin">← Properties</a>' in account and 'name="back" value="admin"' in account
    saved = client.post(
        "/console/account",
        data={"language": "de", "back": "admin", "csrf_token": csrf_of(account)},
        follow_redirects=False,
    )
    assert saved.headers["location"] == "/console/account?saved=1&back=admin"
    assert "<h1>Ihre Unterkünfte</h1>" in client.get("/admin").text
    # Pages without the user (errors) follow the new language through the session.
    missing = client.get("/admin/p/no-such-place", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and '<html lang="de">' in missing.text
    assert "Seite nicht gefunden" in missing.text and "Zurück zu Ihren Unterkünften" in missing.text

    # Changed elsewhere (the CLI): the signed-in pages follow the account at once, not the session's copy.
    with session_scope() as s:
        user = s.exec(select(User).where(User.email == "owner@example.com")).one()
        users_service.set_language(s, user=user, language="it")
    assert "<h1>Le tue strutture</h1>" in client.get("/admin").text


def test_staff_in_german_sees_the_trace_page_in_german(
    client: TestClient, prop: Property, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeModelAPI() as api:
        use_openai(api, monkeypatch)
        get_settings.cache_clear()
        api.answer(GOOD_WIFI)
        trace_id = trace_of(guest_says(prop, "what is the wifi password?", phone=JOHN).id).id
    add_user("personal@example.com", role="staff", language="de")
    signed_in_page(client, "personal@example.com", next="/console")

    html = client.get(f"/console/traces/{trace_id}").text
    assert '<html lang="de">' in html
    assert f"Ablaufprotokoll Nr. {trace_id}" in html and "<h2>Zeitachse</h2>" in html
    assert "<h2>Modellaufrufe</h2>" in html and "<th>Anbieter</th>" in html and "Route model" in html
    assert "Version 1" in html and "Urteil question" in html and "bestanden" in html
    for english in ("Timeline", "Model calls", "Screening and output checks", "this conversation"):
        assert english not in html
    assert GOOD_WIFI in html  # the guest's conversation is shown as written


def test_login_page_follows_accept_language(client: TestClient) -> None:
    german = client.get("/login", headers={"Accept-Language": "de-CH,de;q=0.9,en;q=0.5"}).text
    assert '<html lang="de">' in german and "<h1>Anmelden</h1>" in german and "Passwort" in german
    french = client.get("/login", headers={"Accept-Language": "ko, fr;q=0.5, de;q=0.3"}).text
    assert '<html lang="fr">' in french and "Se connecter" in french
    other = client.get("/login", headers={"Accept-Language": "ko"}).text
    assert '<html lang="en">' in other and "<h1>Sign in</h1>" in other
    assert '<html lang="en">' in client.get("/login").text  # no header: English

    wrong = client.post(
        "/login",
        data={"email": "nobody@example.com", "password": "x" * 12, "csrf_token": csrf_of(german), "next": "/admin"},
        headers={"Accept-Language": "es"},
    )
    assert wrong.status_code == 401 and "Correo electrónico o contraseña incorrectos." in wrong.text


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr;q=0.4, de;q=0.9", "de"),  # quality decides, not the order
        ("pt-BR", "pt"),
        ("zh-Hans-CN,zh;q=0.8", "zh"),
        ("NL", "nl"),
        ("*", "en"),
        ("es;q=0, it", "it"),  # q=0 means "not this one"
        ("de;q=abc, ja;q=0.5", "ja"),  # a malformed quality is ignored, not fatal
        ("", "en"),
        (None, "en"),
    ],
)
def test_negotiate(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected
