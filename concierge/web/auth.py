"""Sign-in for the web pages: the signed session cookie, CSRF tokens, the signed-in user and role checks, and the
sign-in/sign-out routes. Accounts, passwords, lockout and property scope are the users service's
(`concierge.users.service`).

Generic on purpose: the owner's admin pages and the staff console both use `CurrentUser`, `require_role` and
`CheckedForm`.
"""

import hmac
import logging
import secrets
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.middleware.sessions import SessionMiddleware

from concierge.core.db import ReadSessionDep, SessionDep
from concierge.core.errors import DomainError
from concierge.core.modelbase import utcnow
from concierge.core.settings import Settings, get_settings, reveal
from concierge.i18n import N_
from concierge.users import audit
from concierge.users import service as users_service
from concierge.users.models import Role, User
from concierge.users.service import Hidden
from concierge.web.rendering import SESSION_LANGUAGE, csrf_token, render

log = logging.getLogger(__name__)
router = APIRouter(tags=["auth"])

COOKIE_NAME = "concierge_session"


class LoginRequired(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class CsrfRejected(Forbidden):
    """A form post without the session's CSRF token."""


@lru_cache(maxsize=1)
def _process_secret() -> str:
    log.warning("SESSION_SECRET is not set: using a random one; sessions end when this process restarts")
    return secrets.token_urlsafe(32)


def install(app: FastAPI, settings: Settings) -> None:
    """Add the session cookie middleware, the sign-in routes and the handlers for auth errors."""
    app.add_middleware(
        SessionMiddleware,
        secret_key=reveal(settings.session_secret) or _process_secret(),
        session_cookie=COOKIE_NAME,
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.include_router(router)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(Hidden, _hidden)


async def _login_required(request: Request, _exc: Exception) -> Response:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


async def _hidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Hidden)
    log.warning("property out of scope", extra={"user_id": exc.user_id, "path": request.url.path})
    # The request's own transaction was rolled back by the error, so the audit record gets its own.
    await run_in_threadpool(
        partial(audit.record_apart, user_id=exc.user_id, action="denied", target=f"property:{exc.slug}")
    )
    return render(request, "error.html", {"message": exc.message}, status_code=404)


async def checked_form(request: Request) -> FormData:
    """The posted form once its CSRF token matches the session's; CsrfRejected (403) otherwise."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return FormData()
    form = await request.form()
    expected, given = request.session.get("csrf"), form.get("csrf_token")
    if not isinstance(expected, str) or not isinstance(given, str) or not hmac.compare_digest(expected, given):
        log.warning("form post without a valid CSRF token", extra={"path": request.url.path})
        raise CsrfRejected(N_("this form has expired; reload the page and try again"))
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def _signed_in(request: Request, session: Session) -> User:
    uid, epoch = request.session.get("uid"), request.session.get("epoch")
    user = users_service.get_user(session, user_id=uid) if isinstance(uid, int) else None
    if user is None or user.session_epoch != epoch:
        request.session.pop("uid", None)
        raise LoginRequired(N_("please sign in"))
    return user


def current_user(request: Request, session: SessionDep) -> User:
    """The signed-in user; LoginRequired (a redirect to the login page) otherwise."""
    return _signed_in(request, session)


def current_reader(request: Request, session: ReadSessionDep) -> User:
    """The signed-in user, read in the request's read-only session (for pages that only read)."""
    return _signed_in(request, session)


CurrentUser = Annotated[User, Depends(current_user)]
CurrentReader = Annotated[User, Depends(current_reader)]


def _check_role(user: User, roles: tuple[str, ...]) -> User:
    if user.role != Role.admin and user.role not in roles:
        raise Forbidden(N_("your account cannot open this page"))
    return user


def require_role(*roles: str, readonly: bool = False) -> Callable[[User], User]:
    """A dependency that lets only these roles through (admins always pass).

    `readonly=True` for pages that only read: the user comes from the read-only session the page also uses."""

    def check(user: CurrentUser) -> User:
        return _check_role(user, roles)

    def check_reader(user: CurrentReader) -> User:
        return _check_role(user, roles)

    return check_reader if readonly else check


def _safe_next(target: str) -> str:
    """Only a path on this site ("/admin/…"), never "//evil.example" or an absolute URL."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/admin"


@router.get("/login")
def login_page(request: Request, next: str = "/admin") -> Response:
    """The sign-in form."""
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
def login(request: Request, session: SessionDep, form: CheckedForm) -> Response:
    """Check the password; on success start a fresh session (new CSRF token) and go on to `next`."""
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "/admin")))
    outcome = users_service.authenticate(session, email=email, password=password, now=utcnow(), settings=get_settings())
    if outcome.user is None:
        error = (
            N_("Too many failed attempts: this account is locked for a while. Try again later.")
            if outcome.reason == "locked"
            else N_("Wrong email or password.")
        )
        return render(request, "login.html", {"next": target, "error": error, "email": email}, status_code=401)
    request.session.clear()  # a new session on every login: no fixation of an attacker's cookie
    request.session.update({"uid": outcome.user.id, "epoch": outcome.user.session_epoch, "email": outcome.user.email})
    request.session[SESSION_LANGUAGE] = outcome.user.language  # for pages rendered without the user (errors)
    csrf_token(request)
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep, user: CurrentUser, form: CheckedForm) -> Response:
    """End this and every other session of the user."""
    users_service.end_sessions(session, user=user)
    audit.record(session, user_id=user.id, action="logout")
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
