"""System text in the guest's language: Babel catalogs read from the .po files shipped with the package."""

import io
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"


def available_languages() -> list[str]:
    """Languages with a catalog, plus English (the source language)."""
    found = sorted(p.name for p in LOCALES_DIR.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").exists())
    return ["en", *[lang for lang in found if lang != "en"]]


@lru_cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog for a language (compiled in memory from its .po; English is the identity)."""
    po_path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def gettext_for(language: str | None) -> Callable[..., str]:
    """A `_()` for one language: `_("Hello %(name)s", name="Ana")` translates, then fills in."""
    catalog = translations(language or "en")

    def _(message: str, **values: Any) -> str:
        text = catalog.gettext(message)
        return text % values if values else text

    return _


def language_name(language: str, *, in_language: str | None) -> str:
    """The name of `language` written in `in_language` ("inglés" for en in es)."""
    try:
        return Locale.parse(language).get_display_name(in_language or "en") or language
    except (UnknownLocaleError, ValueError):
        return language


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message
