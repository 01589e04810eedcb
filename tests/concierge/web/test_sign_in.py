"""Sign-in that cannot be used against its owners: one answer and one timing for every failure, throttling per
address and per account that never locks the owner out, accounts an operator can disable and enable."""

import statistics
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from concierge.app import create_app
from concierge.core.db import session_scope
from concierge.core.settings import get_settings
from concierge.users import service as users_service
from concierge.users.models import User
from knowledge.models import Property
from tests.factories import PASSWORD, add_user, csrf_of

OWNER = "owner@example.com"


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("WORKER_IN_PROCESS", "false")
    monkeypatch.setenv("LOGIN_FAILURE_SECONDS", "1.0")
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def attempt(client: TestClient, email: str, password: str) -> tuple[int, str, float]:
    """One sign-in: status, the page's error text, seconds taken."""
    token = csrf_of(client.get("/login").text)
    started = time.monotonic()
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, follow_redirects=False
    )
    taken = time.monotonic() - started
    text = response.text.replace(email, "EMAIL").replace(token, "TOKEN")  # the email typed, this session's token
    return response.status_code, text, taken


def test_a_known_account_and_an_unknown_email_fail_alike(settings_env: pytest.MonkeyPatch, prop: Property) -> None:
    settings_env.setenv("LOGIN_ADDRESS_FAILURES", "1000")
    get_settings.cache_clear()
    add_user(OWNER)
    app = create_app()
    known, unknown = [], []
    with TestClient(app, client=("198.51.100.1", 1)) as a, TestClient(app, client=("198.51.100.2", 1)) as b:
        for _ in range(6):  # past the failure threshold, where the old code locked the real account
            known.append(attempt(a, OWNER, "wrong-password-1"))
            unknown.append(attempt(b, "nobody@example.com", "wrong-password-1"))
    assert [k[0] for k in known] == [u[0] for u in unknown] == [401] * 6
    assert [k[1] for k in known] == [u[1] for u in unknown]  # the same page, word for word
    assert "Wrong email or password." in known[-1][1]
    pairs = [(round(k[2], 2), round(u[2], 2)) for k, u in zip(known, unknown, strict=True)]
    assert all(abs(k - u) < 0.25 for k, u in pairs), pairs  # one timing: the padding hides argon2 and the writes
    assert statistics.median(k[2] for k in known) >= 1.0


def test_the_owner_signs_in_while_an_attackers_address_is_throttled(
    settings_env: pytest.MonkeyPatch, prop: Property
) -> None:
    settings_env.setenv("LOGIN_FAILURE_SECONDS", "0")
    settings_env.setenv("LOGIN_MAX_DELAY_SECONDS", "0")
    settings_env.setenv("LOGIN_ADDRESS_FAILURES", "10")
    get_settings.cache_clear()
    add_user(OWNER)
    app = create_app()
    with TestClient(app, client=("203.0.113.9", 1)) as attacker, TestClient(app, client=("192.0.2.7", 1)) as owner:
        assert [attempt(attacker, OWNER, f"guess-{i:04d}xx")[0] for i in range(10)] == [401] * 10
        status, text, _taken = attempt(attacker, OWNER, PASSWORD)
        assert status == 429 and "Too many failed sign-ins" in text  # even the right password is not checked
        assert attempt(owner, OWNER, PASSWORD)[0] == 303  # the owner, elsewhere, is not locked out
    with session_scope() as s:
        assert s.exec(select(User)).one().failed_attempts == 0


def test_failures_past_the_threshold_are_answered_slowly_but_the_right_password_is_not(
    settings_env: pytest.MonkeyPatch, prop: Property
) -> None:
    settings_env.setenv("LOGIN_FAILURE_SECONDS", "0")
    settings_env.setenv("LOGIN_MAX_FAILURES", "2")
    settings_env.setenv("LOGIN_MAX_DELAY_SECONDS", "1")
    get_settings.cache_clear()
    add_user(OWNER)
    with TestClient(create_app()) as client:
        taken = [attempt(client, OWNER, "not-the-password")[2] for _ in range(4)]
        assert taken[-1] >= 0.9 > taken[0]  # the fourth failure waited; the first did not
        status, _text, fast = attempt(client, OWNER, PASSWORD)
        assert status == 303 and fast < 0.9


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(
    settings_env: pytest.MonkeyPatch, prop: Property
) -> None:
    add_user(OWNER)
    with TestClient(create_app()) as client:
        assert attempt(client, OWNER, PASSWORD)[0] == 303
        assert client.get("/admin", follow_redirects=False).status_code == 200
        with session_scope() as s:
            users_service.set_disabled(s, user=users_service.find_user(s, email=OWNER), disabled=True)
        assert client.get("/admin", follow_redirects=False).status_code == 303  # signed out
        status, text, _taken = attempt(client, OWNER, PASSWORD)
        assert status == 401 and "Wrong email or password." in text
        with session_scope() as s:
            users_service.set_disabled(s, user=users_service.find_user(s, email=OWNER), disabled=False)
        assert attempt(client, OWNER, PASSWORD)[0] == 303
