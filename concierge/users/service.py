"""Users service: argon2 passwords, accounts, sign-in checks, and which properties a user may see.

Services: session first, keyword-only, flush only. The sign-in routes and pages call these, and so do other
services (alert recipients, the console's access checks), which never import `concierge.web`.
"""

import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from concierge.core.errors import InvalidInput, NotFound
from concierge.i18n import N_, available_languages
from concierge.users import audit
from concierge.users.models import Membership, Role, User
from knowledge.models import Property

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


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


def warm_up() -> None:
    """Create the dummy hash now, so no sign-in pays for it (its extra time would tell an unknown email apart)."""
    _dummy_hash()


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


def get_user(session: Session, *, user_id: int) -> User | None:
    """The user with this id, if the account exists."""
    return session.get(User, user_id)


def emails_of(session: Session, *, user_ids: set[int]) -> dict[int, str]:
    """Email addresses by user id, in one query (how the console names who claimed what)."""
    if not user_ids:
        return {}
    return dict(session.exec(select(User.id, User.email).where(col(User.id).in_(user_ids))).all())  # type: ignore[arg-type]


def admin_emails(session: Session) -> list[str]:
    """Every admin's email address, oldest account first."""
    return list(session.exec(select(User.email).where(User.role == Role.admin).order_by(col(User.id))))


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
    """What a sign-in attempt came to: the user when it succeeded; otherwise the account's consecutive failures
    (None for an email without an account). The sign-in page answers every failure alike."""

    user: User | None
    failures: int | None = None


def authenticate(session: Session, *, email: str, password: str, now: datetime) -> LoginOutcome:
    """Check a password: exactly one argon2 verification whatever the email (unknown, disabled or real), so every
    failure costs the same time. Failures are counted and audited; an account is never locked (throttling is the
    sign-in page's, `concierge.users.throttle`).

    Returns an outcome instead of raising, because the failure counter must be committed."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_dummy_hash(), password)
        return LoginOutcome(None)
    try:
        _hasher.verify(user.password_hash, password)
        ok = not user.disabled
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        user.failed_attempts += 1
        audit.record(session, user_id=user.id, action="login.failed", detail={"attempts": user.failed_attempts})
        session.flush()
        return LoginOutcome(None, user.failed_attempts)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_attempts = 0
    user.last_login_at = now
    audit.record(session, user_id=user.id, action="login")
    session.flush()
    return LoginOutcome(user, 0)


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


def end_sessions(session: Session, *, user: User) -> None:
    """Invalidate every session cookie of this user (logout)."""
    user.session_epoch += 1
    session.flush()


def find_user(session: Session, *, email: str) -> User:
    """The account with this email, or NotFound."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound(f"no account {email.strip().lower()!r}")
    return user


def list_users(session: Session) -> list[tuple[User, list[str]]]:
    """Every account, oldest first, with the slugs of the properties it may see."""
    users = list(session.exec(select(User).order_by(col(User.id))))
    rows = session.exec(select(Membership.user_id, Property.slug).join(Property)).all()
    slugs: dict[int, list[str]] = {}
    for user_id, slug in rows:
        slugs.setdefault(user_id, []).append(slug)
    return [(user, sorted(slugs.get(user.id or 0, []))) for user in users]


def set_disabled(session: Session, *, user: User, disabled: bool) -> User:
    """Disable an account (it cannot sign in, and its sessions end at once) or enable it again."""
    user.disabled = disabled
    if disabled:
        user.session_epoch += 1
    audit.record(session, user_id=user.id, action="user.disable" if disabled else "user.enable")
    session.flush()
    return user


def unlock(session: Session, *, user: User) -> User:
    """Forget the account's failed sign-ins, so its failures are no longer answered slowly."""
    user.failed_attempts = 0
    audit.record(session, user_id=user.id, action="user.unlock")
    session.flush()
    return user


def set_password(session: Session, *, user: User, password: str) -> User:
    """A new password; every session of the account ends."""
    user.password_hash = hash_password(password)
    user.failed_attempts = 0
    user.session_epoch += 1
    audit.record(session, user_id=user.id, action="user.set_password")
    session.flush()
    return user
