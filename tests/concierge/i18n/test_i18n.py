"""System text catalogs (DESIGN.md rule 8): every marked string is translated, by hand, in every language."""

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from concierge.i18n import LOCALES_DIR, available_languages, gettext_for, language_name
from tests.factories import ROOT

PACKAGES = ("concierge", "knowledge", "escalation")
# The same extraction map as babel.cfg (checked against it below), so the test never trusts a stale .pot.
METHOD_MAP = [(f"{package}/**.py", "python") for package in PACKAGES] + [
    ("concierge/web/templates/**.html", "jinja2")  # every page: console, admin, dashboard, sign-in, errors
]
LANGUAGES = ("es", "fr", "de", "it", "pt", "nl", "pl", "ja", "zh")
PLURAL_FORMS = {
    "es": (2, "(n != 1)"),
    "fr": (2, "(n > 1)"),
    "de": (2, "(n != 1)"),
    "it": (2, "(n != 1)"),
    "pt": (2, "(n != 1)"),
    "nl": (2, "(n != 1)"),
    "pl": (3, "(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)"),
    "ja": (1, "0"),
    "zh": (1, "0"),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
NO_ANSWER = "Sorry, I don't have that information. A member of our team will follow up with you shortly."


def po_path(language: str) -> Path:
    """Where a language's catalog lives."""
    return LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"


def load(language: str) -> Catalog:
    """Read one .po the way the runtime does."""
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


@cache
def extracted_msgids() -> frozenset[str]:
    """Extract the marked strings from the code right now, with babel.cfg's method map (once per run)."""
    msgids: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(str(ROOT), METHOD_MAP):
        # Plural calls extract as a tuple; the catalog keys them by the singular.
        msgids.add(message[0] if isinstance(message, tuple) else message)
    return frozenset(msgids)


def placeholders(text: str) -> list[str]:
    """The named %-placeholders of a string, sorted so order changes between languages are allowed."""
    return sorted(PLACEHOLDER.findall(text))


def strings_of(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    """A msgstr as a list of plural forms (one item for a plain message)."""
    if value is None:
        return [""]
    return [value] if isinstance(value, str) else list(value)


def test_babel_cfg_uses_the_same_method_map() -> None:
    """babel.cfg extracts the three packages and the console templates with the same extractors as this test."""
    lines = [line.strip() for line in (ROOT / "babel.cfg").read_text(encoding="utf-8").splitlines()]
    sections = [line for line in lines if line.startswith("[")]
    assert sections == [f"[{method}: {pattern}]" for pattern, method in METHOD_MAP]


def test_extraction_finds_the_system_strings() -> None:
    """The extractor sees the strings the code marks, so the checks below are not vacuous."""
    msgids = extracted_msgids()
    assert NO_ANSWER in msgids
    assert "This information is only available in %(language)s:" in msgids
    assert all(msgid.strip() for msgid in msgids)


def test_every_language_has_a_catalog() -> None:
    """Exactly the nine translated languages have a .po, and nothing else sits in the locales folder."""
    found = sorted(path.parent.parent.name for path in LOCALES_DIR.glob("*/LC_MESSAGES/messages.po"))
    assert found == sorted(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_header(language: str) -> None:
    """Each catalog parses, is UTF-8, declares its language and the right Plural-Forms, and is not fuzzy."""
    raw = po_path(language).read_bytes()
    raw.decode("utf-8")
    assert b'"Plural-Forms: nplurals=' in raw
    catalog = load(language)
    assert str(catalog.locale) == language
    assert catalog.charset.lower() == "utf-8"
    assert not catalog.fuzzy
    assert (catalog.num_plurals, catalog.plural_expr) == PLURAL_FORMS[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_msgid_is_translated(language: str) -> None:
    """Every string the code marks has a non-empty, non-fuzzy translation that differs from the English."""
    catalog = load(language)
    problems: list[str] = []
    for msgid in sorted(extracted_msgids()):
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not all(text.strip() for text in strings_of(message.string)):
            problems.append(f"empty: {msgid!r}")
    assert problems == [], f"{language}: run scripts/i18n.sh update, then translate:\n" + "\n".join(problems)


# One register per language in every string (issues #13, #17): the forms of the register a catalog does not use.
# Spanish, Italian, Dutch and Polish say "tú", "tu", "je", "ty" throughout (as booking sites do in those languages);
# French, German and Portuguese the polite "vous", "Sie", "você". Every language is checked.
OTHER_REGISTER = {
    "es": r"\b(usted|ustedes|[Ee]scríbame|[Pp]regúnteme|[Dd]ígame)\b|\b[Pp]or su seguridad\b|\bsu estancia\b",
    "fr": r"\b(tu|toi|tes|ton séjour|ta question)\b",
    "de": r"\b(du|dich|dir|dein|deine|deinen|deinem|deiner)\b",
    "pt": r"\b(tu|teu|tua|teus|tuas|contigo)\b",
    "it": r"\b([Ll]a (ri)?contatter\w*|[Ll]e risponder\w*|[Mm]i (ri)?scriva|[Mm]i chieda|[Ss]ua sicurezza"
    r"|[Ss]uo (soggiorno|messaggio)|[Ss]ua (domanda|richiesta)|Lei)\b",
    "nl": r"\b(u|uw|Uw|heeft u|kunt u)\b",
    "pl": r"Państw\w*|\b(Pan|Pani|Panu|Pana)\b|\b[Pp]roszę (pisać|napisać|pytać)\b",
}


@pytest.mark.parametrize("language", sorted(OTHER_REGISTER))
def test_one_register_per_language(language: str) -> None:
    """No string of the catalog speaks to the reader in the other register."""
    catalog = load(language)
    mixed = [
        text
        for message in catalog
        if message.id
        for text in strings_of(message.string)
        if re.search(OTHER_REGISTER[language], text)
    ]
    assert mixed == [], f"{language}: other register in " + "; ".join(mixed)


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match(language: str) -> None:
    """A translation keeps exactly the msgid's %(name)s placeholders, or filling it in would fail."""
    mismatches: list[str] = []
    for message in load(language):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        expected = placeholders(ids[0])
        for text in strings_of(message.string):
            if text and placeholders(text) != expected:
                mismatches.append(f"{ids[0]!r}: {placeholders(text)} != {expected}")
    assert mismatches == []


# Console and admin words whose correct translation is the English word itself (loanwords and cognates).
SAME_AS_ENGLISH = {
    "es": {"bot", "Prompt", "prompts", "original"},
    "fr": {
        "Console",
        "Conversation",
        "bot",
        "trace",
        "Actions",
        "Messages",
        "Prompt",
        "prompts",
        "Question",
        "question",
        "questions",
        "Score",
        "Version",
        "version %(version)s",
        "original",
        "route %(route)s",
        "verdict %(verdict)s",
    },
    "de": {"Status", "Text", "Prompt", "Version"},
    "it": {"Account", "bot", "Password", "Prompt", "Console"},
    "pt": {"bot", "Prompt", "prompts", "original", "Console"},
    "nl": {
        "Account",
        "Console",
        "Status",
        "bot",
        "open",
        "trace",
        "Model",
        "Prompt",
        "prompts",
        "Score",
        "Screening",
        "Sorry",
    }
    | {"route %(route)s"},
    "pl": {"bot", "system", "Model", "Prompt"},
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_runtime_translates_and_fills_in(language: str) -> None:
    """The in-memory compiled catalog translates every msgid and fills its placeholders."""
    _ = gettext_for(language)
    for msgid in sorted(extracted_msgids()):
        values = {name: f"<{name}>" for name in placeholders(msgid)}
        text = _(msgid, **values)
        english = msgid % values if values else msgid
        same_word = msgid in SAME_AS_ENGLISH.get(language, set())
        assert text != english or same_word, f"{language} falls back to English for {msgid!r}"
        for shown in values.values():
            assert shown in text


def test_spanish_reply() -> None:
    """The no-answer reply comes back in Spanish, not English."""
    text = gettext_for("es")(NO_ANSWER)
    assert text == (
        "Lo siento, no tengo esa información. Un miembro de nuestro equipo se pondrá en contacto contigo en breve."
    )
    assert text != NO_ANSWER


def test_english_and_unknown_languages_fall_back_to_the_source() -> None:
    """English has no catalog: the msgid is the text."""
    assert gettext_for("en")(NO_ANSWER) == NO_ANSWER
    assert gettext_for(None)("This information is only available in %(language)s:", language="x") == (
        "This information is only available in x:"
    )


def test_available_languages() -> None:
    """English first, then the nine catalogs: ten languages in all."""
    languages = available_languages()
    assert languages[0] == "en"
    assert sorted(languages) == sorted(["en", *LANGUAGES])
    assert len(languages) == 10


def test_language_name() -> None:
    """Language names are written in the reader's language."""
    assert language_name("es", in_language="fr") == "espagnol"
    assert language_name("en", in_language="es") == "inglés"
    assert language_name("de", in_language=None) == "German"
