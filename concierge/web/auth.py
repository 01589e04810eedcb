"""Sign-in for the web pages: argon2 passwords, a signed session cookie, CSRF tokens, lockout, property scope.

Generic on purpose: the owner's admin pages and the staff console both use `CurrentUser`, `require_role`,
`CheckedForm` and `visible_property`.
"""

import contextlib
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.middleware.sessions import SessionMiddleware

from concierge.core.db import SessionDep, session_scope
from concierge.core.errors import DomainError, InvalidInput, NotFound
from concierge.core.modelbase import utcnow
from concierge.core.settings import Settings, get_settings
from concierge.i18n import N_, available_languages
from concierge.web.models import AuditEvent, Membership, Role, User
from concierge.web.rendering import SESSION_LANGUAGE, csrf_token, render
from knowledge.models import Property

log = logging.getLogger(__name__)
router = APIRouter(tags=["auth"])

COOKIE_NAME = "concierge_session"
MIN_PASSWORD_LENGTH = 10
MAX_LOCKOUT = timedelta(days=1)
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


class LoginRequired(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class CsrfRejected(Forbidden):
    """A form post without the session's CSRF token."""


class Hidden(NotFound):
    """A property outside the user's scope, answered exactly like one that does not exist, and audited."""

    def __init__(self, *, user_id: int | None, slug: str) -> None:
        super().__init__(N_("page not found"))
        self.user_id = user_id
        self.slug = slug


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verifying against this when the email is unknown makes both failures take the same time."""
    return _hasher.hash(secrets.token_urlsafe(16))


# ---- users and scope (services: session first, keyword-only, flush only) ----


def hash_password(password: str) -> str:
    """An argon2id hash of a password that meets the length rule."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput([f"password: use at least {MIN_PASSWORD_LENGTH} characters"])
    return _hasher.hash(password)


def create_user(
    session: Session, *, email: str, role: str, password: str, property_slugs: list[str], language: str = "en"
) -> User:
    """Add a user with access to these properties (admins see every property anyway)."""
    email = email.strip().lower()
    problems = _language_problems(language)
    if "@" not in email or len(email) > 254:
        problems.append(f"email: {email!r} is not an email address")
    if role not in set(Role):
        problems.append(f"role: {role!r} is not one of {', '.join(Role)}")
    if session.exec(select(User).where(User.email == email)).first():
        problems.append(f"email: {email} already has an account")
    properties = []
    for slug in property_slugs:
        prop = session.exec(select(Property).where(Property.slug == slug)).first()
        if prop is None:
            problems.append(f"property: no property with slug {slug!r}")
        properties.append(prop)
    if problems:
        raise InvalidInput(problems)
    user = User(email=email, role=role, password_hash=hash_password(password), language=language)
    session.add(user)
    session.flush()
    assert user.id is not None
    for prop in properties:
        assert prop is not None and prop.id is not None
        session.add(Membership(user_id=user.id, property_id=prop.id))
    session.flush()
    return user


def _language_problems(language: str) -> list[str]:
    known = available_languages()
    return [] if language in known else [f"language: {language!r} is not one of {', '.join(known)}"]


def set_language(session: Session, *, user: User, language: str) -> User:
    """Change the language a user's console is shown in (and translated into)."""
    problems = _language_problems(language)
    if problems:
        raise InvalidInput(problems)
    user.language = language
    session.flush()
    return user


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    reason: str  # "ok", "invalid" (unknown email or wrong password: not told apart) or "locked"


def authenticate(session: Session, *, email: str, password: str, now: datetime, settings: Settings) -> LoginOutcome:
    """Check a password, counting failures and locking the account with a doubling backoff.

    Returns an outcome instead of raising, because the failure counter must be committed."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_dummy_hash(), password)
        return LoginOutcome(None, "invalid")
    if user.locked_until is not None and user.locked_until > now:
        return LoginOutcome(None, "locked")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_attempts += 1
        over = user.failed_attempts - settings.login_max_failures
        if over >= 0:
            lock = timedelta(seconds=settings.login_lockout_seconds * 2 ** min(over, 20))
            user.locked_until = now + min(lock, MAX_LOCKOUT)
        audit(session, user_id=user.id, action="login.failed", detail={"attempts": user.failed_attempts})
        session.flush()
        return LoginOutcome(None, "locked" if over >= 0 else "invalid")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_attempts = 0
    user.locked_until = None
    user.last_login_at = now
    audit(session, user_id=user.id, action="login")
    session.flush()
    return LoginOutcome(user, "ok")


def user_properties(session: Session, *, user: User) -> list[Property]:
    """The properties this user may see, by name."""
    query = select(Property).order_by(col(Property.name))
    if user.role != Role.admin:
        query = query.join(Membership, col(Membership.property_id) == col(Property.id)).where(
            Membership.user_id == user.id
        )
    return list(session.exec(query))


def visible_property(session: Session, *, user: User, slug: str) -> Property:
    """The property if this user may see it; otherwise Hidden (a 404, the same as for a missing property)."""
    prop = session.exec(select(Property).where(Property.slug == slug)).first()
    if prop is not None and (
        user.role == Role.admin
        or session.exec(
            select(Membership.id).where(Membership.user_id == user.id, Membership.property_id == prop.id)
        ).first()
    ):
        return prop
    raise Hidden(user_id=user.id, slug=slug)


def audit(
    session: Session, *, user_id: int | None, action: str, target: str = "", detail: dict[str, Any] | None = None
) -> None:
    """Add an audit record to the current transaction."""
    session.add(AuditEvent(user_id=user_id, action=action, target=target[:200], detail=detail or {}, at=utcnow()))
    session.flush()


def end_sessions(session: Session, *, user: User) -> None:
    """Invalidate every session cookie of this user (logout)."""
    user.session_epoch += 1
    session.flush()


# ---- request plumbing ----


@lru_cache(maxsize=1)
def _process_secret() -> str:
    log.warning("SESSION_SECRET is not set: using a random one; sessions end when this process restarts")
    return secrets.token_urlsafe(32)


def install(app: FastAPI, settings: Settings) -> None:
    """Add the session cookie middleware, the sign-in routes and the handlers for auth errors."""
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret or _process_secret(),
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


def _record_hidden(exc: Hidden) -> None:
    # The request's own transaction was rolled back by the error, so the audit record gets its own.
    with session_scope() as session:
        audit(session, user_id=exc.user_id, action="denied", target=f"property:{exc.slug}")


async def _hidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Hidden)
    log.warning("property out of scope", extra={"user_id": exc.user_id, "path": request.url.path})
    await run_in_threadpool(_record_hidden, exc)
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


def current_user(request: Request, session: SessionDep) -> User:
    """The signed-in user; LoginRequired (a redirect to the login page) otherwise."""
    uid, epoch = request.session.get("uid"), request.session.get("epoch")
    user = session.get(User, uid) if isinstance(uid, int) else None
    if user is None or user.session_epoch != epoch:
        request.session.pop("uid", None)
        raise LoginRequired(N_("please sign in"))
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*roles: str) -> Callable[[User], User]:
    """A dependency that lets only these roles through (admins always pass)."""

    def check(user: CurrentUser) -> User:
        if user.role != Role.admin and user.role not in roles:
            raise Forbidden(N_("your account cannot open this page"))
        return user

    return check


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
    outcome = authenticate(session, email=email, password=password, now=utcnow(), settings=get_settings())
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
    end_sessions(session, user=user)
    audit(session, user_id=user.id, action="logout")
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
