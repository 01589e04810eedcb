"""Shared web pieces: templates and static files."""

from pathlib import Path

from fastapi.templating import Jinja2Templates

from concierge.i18n import gettext_for

WEB_DIR = Path(__file__).parent
templates = Jinja2Templates(directory=WEB_DIR / "templates")
# Pages rendered without a reader's language (the guest simulator) are in English; render() passes its own `_`.
templates.env.globals["_"] = gettext_for("en")
