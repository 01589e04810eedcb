"""The owner dashboard page: parse the period, ask the service for the numbers, render them with SVG charts.

Owners see their own properties (others answer 404, audited), admins every property; staff accounts cannot
open it, because it quotes guests' questions.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from concierge.conversation import marks
from concierge.core.db import ReadSessionDep
from concierge.core.modelbase import utcnow
from concierge.i18n import gettext_for, language_name
from concierge.ops.dashboard import charts, loop
from concierge.ops.dashboard import service as dashboard_service
from concierge.ops.dashboard.period import PERIODS, parse_period
from concierge.users.models import User
from concierge.users.service import visible_property
from concierge.web.auth import checked_form, require_role
from concierge.web.rendering import page
from escalation.notify import reason_label
from knowledge import service as knowledge_service

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(checked_form)])
OwnerReader = Annotated[User, Depends(require_role("owner", readonly=True))]  # the page only reads


@router.get("/p/{slug}/dashboard")
def dashboard(
    request: Request,
    session: ReadSessionDep,
    user: OwnerReader,
    slug: str,
    period: str | None = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
) -> Response:
    """Messages, answers without a person, hand-offs, fallbacks, cost, languages and knowledge gaps."""
    prop = visible_property(session, user=user, slug=slug)
    window = parse_period(period=period, start=start, end=end, timezone=prop.timezone, now=utcnow())
    board = dashboard_service.build(session, prop=prop, period=window)
    _ = gettext_for(user.language)
    reasons = [(reason, reason_label(reason, user.language), n) for reason, n in board.reasons.most_common()]
    languages = [
        (code, language_name(code, in_language=user.language) if code != "?" else _("unknown"), n)
        for code, n in board.languages.most_common()
    ]
    labels = charts.Labels.for_language(user.language)
    assert prop.id is not None
    context = {
        "prop": prop,
        "marked_weeks": marks.wrong_per_week(session, property_id=prop.id, since=window.since, until=window.until),
        **loop.section(session, prop=prop, period=window, language=user.language),
        "board": board,
        "periods": list(PERIODS),
        "reasons": reasons,
        "languages": languages,
        "daily_chart": charts.daily_chart(
            board.days, ident="chart-daily", title=_("Messages per day, in and out"), labels=labels
        ),
        "languages_chart": charts.bar_chart(
            [(name, n) for _code, name, n in languages],
            ident="chart-languages",
            title=_("Guest messages by language"),
            labels=labels,
        ),
        "reasons_chart": charts.bar_chart(
            [(label, n) for _reason, label, n in reasons],  # the reasons in words, as the table says them
            ident="chart-reasons",
            title=_("Hand-offs by reason"),
            labels=labels,
        ),
    }
    return page(request, user, "admin/dashboard.html", context)


@router.post("/p/{slug}/dashboard/check-cases")
def check_cases(session: ReadSessionDep, user: OwnerReader, slug: str) -> Response:
    """Play the marked cases against the published version, unless a run of these cases on it is recorded."""
    prop = visible_property(session, user=user, slug=slug)
    assert prop.id is not None
    published = knowledge_service.published_version(session, property_id=prop.id)
    status = loop.cases_status(session, prop=prop, published=published)
    session.close()  # the run writes its record from a process of its own: this request holds nothing meanwhile
    if status.cases and not status.checked:
        loop.check_cases(prop.slug)
        status = loop.cases_status(session, prop=prop, published=published)  # the run it recorded, if it did
    failed = status.cases and not status.checked
    return RedirectResponse(f"/admin/p/{prop.slug}/dashboard{'?check=failed' if failed else ''}#loop", status_code=303)
