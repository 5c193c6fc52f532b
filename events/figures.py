"""Figures for one event, for its organisers (the "Figures" page of an event in the admin).

- **Registrations over time**: every registration made for the event's sessions (cancelled ones
  too, so the last total equals confirmed + waiting + cancelled), cumulative per day in the
  site's time zone, every day from the first registration to the last session.
- **Counts**: confirmed, on the waiting list, cancelled.
- **Attendance rate**: attended / attendance recorded (registrations whose attendance is not
  recorded yet count in neither); none while nothing is recorded.
- **By affiliation**: the people registered (confirmed or waiting), by affiliation as typed
  (ignoring surrounding spaces and, for unaccented letters, case): the ten most frequent, the
  rest as "other", and those who gave none.

``event_figures`` costs four queries whatever the number of registrations: one aggregate for
the counts, one grouped by day, one grouped by affiliation, and the date of the last session.

The chart (``registrations_chart``) is SVG written here by hand rather than drawn by a charting
library: one line of cumulative counts takes a few dozen lines, while a library would bring a
dependency and a script (a JavaScript chart) or a raster image (matplotlib) for it. Inline SVG
is static, follows the admin's own colours in light and dark themes (``currentColor``), scales
with the page, and names itself to screen readers (``role="img"`` with ``<title>`` and
``<desc>``); the page puts the same numbers in a data table beside it.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Lower, Trim, TruncDate
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .models import Event, Registration, Session

TOP_AFFILIATIONS = 10

CHART_WIDTH = 640
CHART_HEIGHT = 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 24, 16, 40


@dataclass(frozen=True)
class DayCount:
    day: date
    new: int  # registrations made that day
    total: int  # registrations made up to and including that day


@dataclass(frozen=True)
class AffiliationCount:
    label: str
    count: int
    kind: str = "named"  # "named", "other" (the rest beyond the top ten) or "none" (not given)
    groups: int = 1  # how many affiliations the row stands for ("other": those beyond the top ten)


@dataclass(frozen=True)
class EventFigures:
    event: Event
    days: list[DayCount]
    confirmed: int
    waiting: int
    cancelled: int
    attended: int
    attendance_recorded: int
    affiliations: list[AffiliationCount]

    @property
    def total(self) -> int:
        return self.confirmed + self.waiting + self.cancelled

    @property
    def attendance_rate(self) -> float | None:
        """Attended / attendance recorded (0–1), or None while no attendance is recorded."""
        return self.attended / self.attendance_recorded if self.attendance_recorded else None

    @property
    def registration_days(self) -> list[DayCount]:
        """The days on which someone registered (the data table beside the chart: the
        cumulative line changes only on those days)."""
        return [day for day in self.days if day.new]


def event_figures(event: Event) -> EventFigures:
    """The figures of ``event`` (four queries)."""
    registrations = Registration.objects.filter(session__event=event)
    counts = registrations.aggregate(
        n_confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
        n_waiting=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
        n_cancelled=Count("pk", filter=Q(status=Registration.Status.CANCELLED)),
        n_attended=Count("pk", filter=Q(attended=True)),
        n_recorded=Count("pk", filter=Q(attended__isnull=False)),
    )
    last_session = Session.objects.filter(event=event).aggregate(last=Max("start"))["last"]
    return EventFigures(
        event=event,
        days=_days(registrations, last_session=last_session),
        confirmed=counts["n_confirmed"],
        waiting=counts["n_waiting"],
        cancelled=counts["n_cancelled"],
        attended=counts["n_attended"],
        attendance_recorded=counts["n_recorded"],
        affiliations=_affiliations(registrations.active()),
    )


def _days(registrations, *, last_session) -> list[DayCount]:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    per_day = dict(
        registrations.annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day")
        .annotate(new=Count("pk"))
        .order_by("day")
        .values_list("day", "new")
    )
    if not per_day:
        return []
    first = min(per_day)
    last = max(per_day)
    if last_session is not None:
        last = max(last, timezone.localtime(last_session, zone).date())
    days, total, day = [], 0, first
    while day <= last:
        new = per_day.get(day, 0)
        total += new
        days.append(DayCount(day=day, new=new, total=total))
        day += timedelta(days=1)
    return days


def _affiliations(registrations) -> list[AffiliationCount]:
    groups = list(
        registrations.annotate(key=Lower(Trim("affiliation")))
        .values("key")
        .annotate(count=Count("pk"), label=Min(Trim("affiliation")))
        .order_by("-count", "key")
    )
    named = [group for group in groups if group["key"]]
    not_given = sum(group["count"] for group in groups if not group["key"])
    rows = [AffiliationCount(label=group["label"], count=group["count"]) for group in named[:TOP_AFFILIATIONS]]
    rest = named[TOP_AFFILIATIONS:]
    if rest:
        rows.append(
            AffiliationCount(label="", count=sum(group["count"] for group in rest), kind="other", groups=len(rest))
        )
    if not_given:
        rows.append(AffiliationCount(label="", count=not_given, kind="none"))
    return rows


# --- The chart ---------------------------------------------------------------------------------


def _nice_ceiling(value: int) -> int:
    """The top of the y axis: ``value`` rounded up to 1, 2 or 5 times a power of ten (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10


@dataclass(frozen=True)
class _ChartScale:
    """Where a day and a total fall in the chart's plot area, in SVG units."""

    day_count: int
    top_value: int
    plot_width: int = CHART_WIDTH - _LEFT - _RIGHT
    plot_height: int = CHART_HEIGHT - _TOP - _BOTTOM

    @property
    def bottom(self) -> int:
        return _TOP + self.plot_height

    def x(self, index: int) -> float:
        """The horizontal position of the ``index``-th day (a single day sits in the middle)."""
        if self.day_count > 1:
            return _LEFT + self.plot_width * index / (self.day_count - 1)
        return _LEFT + self.plot_width / 2

    def y(self, value: int) -> float:
        """The vertical position of a total of ``value``."""
        return _TOP + self.plot_height - self.plot_height * value / self.top_value


def _day_label(day: date) -> str:
    """A day as the chart's labels and description write it, in the active language."""
    return formats.date_format(day, "MONTH_DAY_FORMAT")


def _chart_description(days: list[DayCount]) -> str:
    """What the chart shows, in words, for screen readers: the first and the last totals."""
    first, last = days[0], days[-1]
    return gettext(
        "Registrations made so far, day by day: %(first_total)d on %(first)s, %(last_total)d on %(last)s."
    ) % {
        "first": _day_label(first.day), "first_total": first.total,
        "last": _day_label(last.day), "last_total": last.total,
    }


def _chart_grid(scale: _ChartScale) -> SafeString:
    """The horizontal grid lines at 0, half and the top of the y axis, each labelled on the left."""
    ticks = sorted({0, scale.top_value // 2, scale.top_value})
    return format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="currentColor" stroke-opacity="0.2"/>'
        '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="currentColor">{}</text>',
        (
            (
                _LEFT, f"{scale.y(tick):.1f}", _LEFT + scale.plot_width, f"{scale.y(tick):.1f}",
                _LEFT - 6, f"{scale.y(tick) + 4:.1f}", tick,
            )
            for tick in ticks
        ),
    )


def _chart_x_labels(days: list[DayCount], scale: _ChartScale) -> SafeString:
    """The dates under the x axis: the first day and, when there are more, the last."""
    labels = [(0, days[0].day, "start" if len(days) > 1 else "middle")]
    if len(days) > 1:
        labels.append((len(days) - 1, days[-1].day, "end"))
    return format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="{}" font-size="12" fill="currentColor">{}</text>',
        ((f"{scale.x(index):.1f}", scale.bottom + 20, anchor, _day_label(day)) for index, day, anchor in labels),
    )


def registrations_chart(figures: EventFigures) -> SafeString:
    """The cumulative registrations as an inline SVG line chart, in the active language; ""
    without registrations."""
    days = figures.days
    if not days:
        return mark_safe("")
    scale = _ChartScale(day_count=len(days), top_value=_nice_ceiling(days[-1].total))
    points = " ".join(f"{scale.x(index):.1f},{scale.y(day.total):.1f}" for index, day in enumerate(days))
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="figures-chart" viewBox="0 0 {width} {height}" '
        'width="{width}" height="{height}" role="img" aria-labelledby="registrations-chart-title '
        'registrations-chart-desc">'
        '<title id="registrations-chart-title">{title}</title>'
        '<desc id="registrations-chart-desc">{description}</desc>'
        "{grid}"
        '<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="currentColor"/>'
        '<polyline points="{points}" fill="none" stroke="currentColor" stroke-width="2.5" '
        'stroke-linejoin="round"/>'
        "{x_labels}"
        "</svg>",
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        title=gettext("Registrations over time"),
        description=_chart_description(days),
        grid=_chart_grid(scale),
        left=_LEFT,
        right=_LEFT + scale.plot_width,
        bottom=f"{scale.bottom:.1f}",
        points=points,
        x_labels=_chart_x_labels(days, scale),
    )
