"""Sign-in for the web pages: the signed session cookie, CSRF tokens, the signed-in user and role checks, and the
sign-in/sign-out routes. Accounts, passwords and property scope are the users service's
(`concierge.users.service`).

Generic on purpose: the owner's admin pages and the staff console both use `CurrentUser`, `require_role` and
`CheckedForm`.
"""

import asyncio
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.middleware.sessions import SessionMiddleware

from concierge.core.db import ReadSessionDep, SessionDep, session_scope
from concierge.core.errors import DomainError
from concierge.core.modelbase import utcnow
from concierge.core.settings import Settings, get_settings, reveal
from concierge.i18n import N_
from concierge.users import audit
from concierge.users import service as users_service
from concierge.users.models import Role, User
from concierge.users.service import Hidden
from concierge.users.throttle import SignInThrottle
from concierge.web.rendering import SESSION_LANGUAGE, SESSION_ROLE, csrf_token, render

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
    app.state.sign_in_throttle = SignInThrottle(
        address_limit=settings.login_address_failures,
        window_seconds=settings.login_address_window_seconds,
        account_threshold=settings.login_max_failures,
        max_delay_seconds=settings.login_max_delay_seconds,
    )
    app.state.password_checks = asyncio.Semaphore(settings.login_concurrent_hashes)
    users_service.warm_up()  # the first unknown email must not pay for the dummy hash's creation
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
    if user is None or user.session_epoch != epoch or user.disabled:
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


def _client_address(request: Request) -> str:
    """The client's address (behind a reverse proxy, uvicorn's --forwarded-allow-ips makes it the real one)."""
    return request.client.host if request.client else "unknown"


def _check_password(email: str, password: str) -> users_service.LoginOutcome:
    """One password check in a transaction of its own (committed: failures are counted and audited)."""
    with session_scope() as session:
        return users_service.authenticate(session, email=email, password=password, now=utcnow())


async def _answer_after(started: float, seconds: float) -> None:
    """Sleep until `seconds` after `started`: every failure takes the same time, whatever failed."""
    await asyncio.sleep(max(0.0, started + seconds - time.monotonic()))


@router.post("/login")
async def login(request: Request, form: CheckedForm) -> Response:
    """Check the password; on success start a fresh session (new CSRF token) and go on to `next`.

    Every failure (unknown email, wrong password, disabled account) gets the same answer after the same time;
    throttling (concierge/users/throttle.py) slows guessing without ever locking the account's owner out."""
    started = time.monotonic()
    settings = get_settings()
    throttle: SignInThrottle = request.app.state.sign_in_throttle
    email, password = str(form.get("email", ""))[:254], str(form.get("password", ""))[:1024]
    target = _safe_next(str(form.get("next", "/admin")))
    address = _client_address(request)
    if throttle.address_blocked(address):  # no password is checked: this says nothing about the account
        log.warning("sign-in refused: too many failures from this address")
        await _answer_after(started, settings.login_failure_seconds)
        error = N_("Too many failed sign-ins from your network. Wait a few minutes and try again.")
        return render(request, "login.html", {"next": target, "error": error, "email": email}, status_code=429)
    async with request.app.state.password_checks:  # argon2 is CPU- and memory-hard: a few at a time
        outcome = await run_in_threadpool(_check_password, email, password)
    if outcome.user is None:
        recent = throttle.failed(address=address, email=email)
        # `users unlock` resets the stored count; an email without an account only has the process's count.
        failures = recent if outcome.failures is None else min(recent, outcome.failures)
        await _answer_after(started, settings.login_failure_seconds + throttle.delay(failures))
        error = N_("Wrong email or password.")
        return render(request, "login.html", {"next": target, "error": error, "email": email}, status_code=401)
    throttle.succeeded(email)
    request.session.clear()  # a new session on every login: no fixation of an attacker's cookie
    request.session.update({"uid": outcome.user.id, "epoch": outcome.user.session_epoch, "email": outcome.user.email})
    request.session[SESSION_LANGUAGE] = outcome.user.language  # for pages rendered without the user (errors)
    request.session[SESSION_ROLE] = outcome.user.role  # the header's sections on those pages
    csrf_token(request)
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep, user: CurrentUser, form: CheckedForm) -> Response:
    """End this and every other session of the user."""
    users_service.end_sessions(session, user=user)
    audit.record(session, user_id=user.id, action="logout")
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
