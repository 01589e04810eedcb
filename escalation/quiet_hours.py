"""Per-property quiet hours as staff set them on the console: strict HH:MM validation, clearing, the audit trail."""

import re

from sqlmodel import Session

from concierge.core.errors import InvalidInput
from concierge.i18n import gettext_for
from concierge.users import audit
from escalation import notify
from escalation.models import EscalationPolicy
from knowledge.models import Property

CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def current(session: Session, *, prop: Property) -> tuple[str, str]:
    """The property's quiet hours as ("22:00", "08:00"), or ("", "") when there are none."""
    assert prop.id is not None
    row = notify.policy(session, property_id=prop.id)
    if row is None or not row.quiet_start or not row.quiet_end:
        return "", ""
    return row.quiet_start, row.quiet_end


def problems(start: str, end: str, *, language: str | None) -> list[str]:
    """What is wrong with a start/end pair, in the staff member's language; [] when both are valid or both empty."""
    _ = gettext_for(language)
    found = []
    if bool(start) != bool(end):
        found.append(_("Give both a start and an end, or leave both empty to remove the quiet hours."))
    for label, value in ((_("Start"), start), (_("End"), end)):
        if value and not CLOCK.match(value):
            found.append(_("%(field)s: %(value)s is not a time like 22:00 (24-hour HH:MM).", field=label, value=value))
    if start and start == end and not found:
        found.append(_("Start and end are the same time: quiet hours must last at least a minute."))
    return found


def update(
    session: Session, *, prop: Property, start: str, end: str, user_id: int | None, language: str | None
) -> EscalationPolicy:
    """Set or clear (both empty) the property's quiet hours, audited; InvalidInput lists every problem."""
    assert prop.id is not None
    start, end = start.strip(), end.strip()
    found = problems(start, end, language=language)
    if found:
        raise InvalidInput(found)
    before = current(session, prop=prop)
    row = notify.set_quiet_hours(session, property_id=prop.id, start=start or None, end=end or None)
    audit.record(
        session,
        user_id=user_id,
        action="quiet_hours.set" if start else "quiet_hours.clear",
        target=f"property:{prop.slug}",
        detail={"before": list(before), "after": [start, end]},
    )
    return row
