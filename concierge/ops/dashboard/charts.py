"""Server-side charts as inline SVG: no JavaScript, no CDN; every chart has a title, a description and
per-bar tooltips, and the page shows the same numbers as text in a table beside it."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from babel.dates import format_skeleton
from markupsafe import Markup, escape

from concierge.i18n import gettext_for
from concierge.ops.dashboard.service import Day

WIDTH = 640
DAILY_HEIGHT = 180
ROW_HEIGHT = 24
LABEL_WIDTH = 170
INBOUND, OUTBOUND, BAR = "#12355b", "#6aa5d8", "#12355b"


@dataclass(frozen=True)
class Labels:
    """The words a chart writes, in the reader's language."""

    language: str = "en"
    in_out: str = "%(day)s: %(inbound)s in, %(outbound)s out"
    no_messages: str = "no messages"
    nothing: str = "nothing to show"

    @classmethod
    def for_language(cls, language: str) -> "Labels":
        """The chart words translated into `language`."""
        _ = gettext_for(language)
        return cls(
            language=language,
            in_out=_("%(day)s: %(inbound)s in, %(outbound)s out"),
            no_messages=_("no messages"),
            nothing=_("nothing to show"),
        )

    def day(self, d: Day) -> str:
        """One day's counts ("2026-03-05: 5 in, 5 out")."""
        return self.in_out % {"day": d.day.isoformat(), "inbound": d.inbound, "outbound": d.outbound}

    def short_date(self, value: date) -> str:
        """A day on the axis, with the month's name in the reader's language ("Mar 5", "5 mar")."""
        return format_skeleton("MMMd", value, locale=self.language)


ENGLISH = Labels()


def _frame(ident: str, title: str, desc: str, width: int, height: int, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{ident}-title {ident}-desc" id="{ident}">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704  (every interpolated text is escaped)


def daily_chart(days: Sequence[Day], *, ident: str, title: str, labels: Labels = ENGLISH) -> Markup:
    """Messages in and out per day as paired vertical bars, with the busiest day's count on the axis."""
    top = max([max(d.inbound, d.outbound) for d in days] + [1])
    plot_top, plot_bottom, left = 16, DAILY_HEIGHT - 24, 36
    slot = (WIDTH - left - 8) / max(len(days), 1)
    bar = max(min(slot * 0.4, 18), 1)
    scale = (plot_bottom - plot_top) / top
    desc = "; ".join(labels.day(d) for d in days if d.inbound or d.outbound)
    body = [
        f'<line x1="{left}" y1="{plot_bottom}" x2="{WIDTH - 4}" y2="{plot_bottom}" stroke="#b8c0cc"/>',
        f'<text x="{left - 6}" y="{plot_top + 4}" text-anchor="end" font-size="11">{top}</text>',
        f'<text x="{left - 6}" y="{plot_bottom}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, d in enumerate(days):
        x = left + i * slot + (slot - 2 * bar) / 2
        tip = escape(labels.day(d))
        body.append(f'<g class="day"><title>{tip}</title>')
        for offset, value, colour in ((0.0, d.inbound, INBOUND), (bar, d.outbound, OUTBOUND)):
            height = value * scale
            body.append(
                f'<rect x="{x + offset:.1f}" y="{plot_bottom - height:.1f}" width="{bar:.1f}" '
                f'height="{height:.1f}" fill="{colour}"/>'
            )
        body.append("</g>")
    labelled = {0, len(days) - 1, (len(days) - 1) // 2} if days else set()
    for i in sorted(labelled):
        x = left + i * slot + slot / 2
        body.append(
            f'<text x="{x:.1f}" y="{DAILY_HEIGHT - 6}" text-anchor="middle" font-size="11">'
            f"{escape(labels.short_date(days[i].day))}</text>"
        )
    return _frame(ident, title, desc or labels.no_messages, WIDTH, DAILY_HEIGHT, body)


def _short(label: str, room: int = 26) -> str:
    """A label that fits beside the bars (the bar's <title> and the chart's description keep it whole)."""
    return label if len(label) <= room else label[: room - 1] + "…"


def bar_chart(rows: Sequence[tuple[str, int]], *, ident: str, title: str, labels: Labels = ENGLISH) -> Markup:
    """One horizontal bar per row (label, count), longest first as given, the count written after the bar."""
    top = max([count for _label, count in rows] + [1])
    room = WIDTH - LABEL_WIDTH - 60
    height = max(len(rows), 1) * ROW_HEIGHT + 8
    body: list[str] = []
    for i, (label, count) in enumerate(rows):
        y = 4 + i * ROW_HEIGHT
        length = count / top * room
        body.append(
            f'<g class="bar"><title>{escape(f"{label}: {count}")}</title>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end" font-size="12">{escape(_short(label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{ROW_HEIGHT - 8}" fill="{BAR}"/>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 15}" font-size="12">{count}</text></g>'
        )
    desc = ", ".join(f"{label}: {count}" for label, count in rows) or labels.nothing
    return _frame(ident, title, desc, WIDTH, height, body)
