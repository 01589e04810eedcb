"""Server-rendered pages in the reader's language (DESIGN.md rule 8).

A signed-in user's pages (`page`) are in that user's language. Pages without a user (sign-in, errors) use the
language remembered in the session at sign-in, else the browser's Accept-Language among the catalogs, else English.
"""

import secrets
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from babel import negotiate_locale
from babel.dates import format_skeleton
from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from concierge.conversation.models import Author
from concierge.i18n import N_, available_languages, gettext_for, language_name
from concierge.i18n.topics import topic_label
from concierge.users.models import User

WEB_DIR = Path(__file__).parent
templates = Jinja2Templates(directory=WEB_DIR / "templates")
# Pages rendered without a reader's language (the guest simulator) are in English; render() passes its own `_`.
templates.env.globals["_"] = gettext_for("en")

SESSION_LANGUAGE = "lang"  # the signed-in user's language, kept in the session for pages rendered without a user
SESSION_ROLE = "role"  # the signed-in user's role, for the header of pages rendered without the user (errors)
# The header's sections, in order, and the roles that may use each (admins may use every one).
SECTIONS = (
    ("/admin", N_("Knowledge"), ("owner", "admin")),
    ("/console", N_("Console"), ("staff", "owner", "admin")),
    ("/console/account", N_("Account"), ("staff", "owner", "admin")),
)
AUTHORS = {Author.guest: N_("guest"), Author.bot: N_("bot"), Author.staff: N_("staff"), Author.system: N_("system")}


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use); every form carries it back."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def negotiate(accept_language: str | None) -> str:
    """The best supported language for an Accept-Language header ("de-CH,fr;q=0.8" → "de"), or English."""
    wanted = []
    for part in (accept_language or "").split(","):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            wanted.append((quality, tag.replace("_", "-")))
    # A stable sort keeps the header's order among equal qualities.
    preferred = [tag for _q, tag in sorted(wanted, key=lambda item: -item[0])]
    found = negotiate_locale(preferred, available_languages(), sep="-")  # "de-CH" falls back to "de"
    return found.lower() if found else "en"


def format_date(value: date | str, skeleton: str = "yMMMd", *, language: str) -> str:
    """A date (or an ISO date string) with the month's name in the reader's language ("Mar 5, 2026", "5 mar 2026")."""
    return format_skeleton(skeleton, date.fromisoformat(value) if isinstance(value, str) else value, locale=language)


def request_language(request: Request) -> str:
    """The language of a page without a signed-in user: the session's, else the browser's, else English."""
    remembered = request.session.get(SESSION_LANGUAGE)
    if isinstance(remembered, str) and remembered in available_languages():
        return remembered
    return negotiate(request.headers.get("accept-language"))


def sections_for(role: object, path: str) -> list[dict[str, Any]]:
    """The header's links for this role, the one holding `path` marked current (the longest matching prefix)."""
    links = [{"href": href, "label": label} for href, label, roles in SECTIONS if role in roles]
    matching = [link["href"] for link in links if path == link["href"] or path.startswith(link["href"] + "/")]
    current = max(matching, key=len, default=None)
    return [{**link, "current": link["href"] == current} for link in links]


def _topic_name(topic: str, *, language: str) -> str:
    label = topic_label(topic, language=language)
    return label[:1].upper() + label[1:]


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    language: str | None = None,
) -> Response:
    """A page with the CSRF token, the signed-in email, and `_` for its language (the visitor's unless given)."""
    lang = language or request_language(request)
    _ = gettext_for(lang)
    role = context.get("user_role") or request.session.get(SESSION_ROLE)
    base = {
        "sections": sections_for(role, request.url.path) if request.session.get("email") else [],
        "csrf_token": csrf_token(request),
        "signed_in": request.session.get("email"),
        "_": _,
        "lang": lang,
        "authors": {key: _(value) for key, value in AUTHORS.items()},
        "format_date": partial(format_date, language=lang),
        "topic_name": partial(_topic_name, language=lang),  # "check_in" → "check-in times", in the reader's words
        "language_label": partial(language_name, in_language=lang),  # "fr" → "francés"
    }
    return templates.TemplateResponse(request, template, {**base, **context}, status_code=status_code)


def page(request: Request, user: User, template: str, context: dict[str, Any], *, status_code: int = 200) -> Response:
    """A page in the signed-in user's language (console, admin, dashboard)."""
    context = {"staff_language": user.language, "user_role": user.role, **context}
    return render(request, template, context, status_code=status_code, language=user.language)
