"""Shared pieces of the web tests: accounts and a signed-in client."""

import re

from fastapi.testclient import TestClient

from concierge.core.db import session_scope
from concierge.users import service as users_service
from concierge.users.models import User

PASSWORD = "correct horse battery"


def add_user(email: str, *, role: str = "owner", properties: tuple[str, ...] = ("casa-test",)) -> User:
    """Create an account with the standard test password."""
    with session_scope() as s:
        return users_service.create_user(s, email=email, role=role, password=PASSWORD, property_slugs=list(properties))


def csrf_of(html: str) -> str:
    """The CSRF token a rendered page carries in its forms."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns a CSRF token of the new session."""
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token, "next": "/admin"})
    assert response.status_code == 200, response.text  # followed the redirect to /admin
    return csrf_of(response.text)
