"""How a session is presented on the public pages: its time with the zone and UTC offset, the
seats left and the registration deadline (the event's own page fills them in per request: ``events.seats``).

Read-only presentation, no writes. The list pages show seats, so they name ``ContentArea.SEATS``
among their cached areas: every registration raises that area after commit (``Registration.
content_area``), which makes exactly those pages stale and leaves partners, news and the rest
cached. Their sessions come with ``confirmed_count`` annotated in the one prefetch query, so a
page of events costs the same number of queries whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils import formats, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from core.zones import zone_label, zone_short

from .models import Session

# "Few seats left" from this many seats left, or from this share of the capacity if that is more
# (a session of 200 has few left at 20).
FEW_SEATS = 5
FEW_SEATS_SHARE = 0.1


# --- Querysets for the list pages -------------------------------------------------------------


def next_session(sessions: Iterable[Session], now: datetime | None = None) -> Session | None:
    """The first session (in date order) that has not ended, cancelled or not; from a prefetched
    list, so no query."""
    now = now or timezone.now()
    return next((s for s in sessions if s.end >= now), None)


def listed_sessions(sessions: Iterable[Session], limit: int = 3, now: datetime | None = None) -> list[Session]:
    """What a list shows of an event's sessions (prefetched, in date order): the first ``limit``
    that have not ended; when all have, the last ``limit``."""
    now = now or timezone.now()
    sessions = list(sessions)
    upcoming = [s for s in sessions if s.end >= now]
    return upcoming[:limit] if upcoming else sessions[-limit:]


# --- Times --------------------------------------------------------------------------------------


def when_text(session: Session) -> str:
    """A session's time as plain text, in the active language's formats and the session's zone:
    "Monday, 14 December 2026, 10:00–11:30 CET (UTC+1)" (Slovenian "ponedeljek, 14. decembra
    2026, 10.00–11.30 CET (UTC+1)"); the end with its date too when it is on another day. The same
    as ``templates/events/_when.html`` without its markup (for form labels and emails)."""
    return between_text(session.start, session.end, session.time_zone)


def between_text(start: datetime, end: datetime, time_zone: str) -> str:
    """``when_text`` for a start and end in ``time_zone`` (a session's previous time, say)."""
    zone = ZoneInfo(time_zone)
    start, end = start.astimezone(zone), end.astimezone(zone)
    end_format = "TIME_FORMAT" if start.date() == end.date() else "DATETIME_FORMAT"
    return "{}–{} {}".format(
        formats.date_format(start, "DATETIME_FORMAT"), formats.date_format(end, end_format), zone_label(start)
    )


def deadline_text(moment: datetime) -> str:
    """A deadline in the active language's formats: "9 April, 17:00 CEST" ("9. aprila, 17.00 CEST")."""
    zone = zone_short(moment)
    return "{}, {} {}".format(
        formats.date_format(moment, "MONTH_DAY_FORMAT"), formats.time_format(moment, "TIME_FORMAT"), zone
    )


# --- Seats and deadlines ----------------------------------------------------------------------


class SeatState(StrEnum):
    """What a session's seat line says (and its CSS class, ``seats-<state>``)."""

    LEFT = "left"  # "12 seats left"
    FEW = "few"  # "Few seats left: only 3"
    WAITING_LIST = "waiting-list"  # "Full — join the waiting list"
    FULL = "full"  # "Full"
    NOT_OPEN = "not-open"  # "Registration opens 2 April, 09:00 CEST"
    CLOSED = "closed"  # "Registration closed"
    CANCELLED = "cancelled"  # "Cancelled"
    OPEN = "open"  # open, seats not counted on this page: nothing to say
    PAST = "past"  # over: nothing to say


@dataclass(frozen=True)
class Availability:
    state: SeatState
    seats_left: int | None = None
    opens_at: datetime | None = None  # in the session's zone
    closes_at: datetime | None = None  # in the session's zone; only while registering is possible

    @property
    def text(self) -> str:
        """The seat line in the active language ("" when there is nothing to say)."""
        match self.state:
            case SeatState.LEFT:
                count = self.seats_left or 0
                return ngettext("%(count)s seat left", "%(count)s seats left", count) % {"count": count}
            case SeatState.FEW:
                return gettext("Few seats left: only %(count)s") % {"count": self.seats_left}
            case SeatState.WAITING_LIST:
                return gettext("Full — join the waiting list")
            case SeatState.FULL:
                return gettext("Full")
            case SeatState.NOT_OPEN:
                return gettext("Registration opens %(when)s") % {"when": deadline_text(self.opens_at)}
            case SeatState.CLOSED:
                return gettext("Registration closed")
            case SeatState.CANCELLED:
                return gettext("Cancelled")
        return ""

    @property
    def deadline(self) -> str:
        """The deadline sentence ("Registration closes 9 April, 17:00 CEST"), or "" without one."""
        if self.closes_at is None:
            return ""
        return gettext("Registration closes %(when)s") % {"when": deadline_text(self.closes_at)}


def is_few(seats_left: int, capacity: int) -> bool:
    return seats_left <= max(FEW_SEATS, capacity * FEW_SEATS_SHARE)


def availability(session: Session, now: datetime | None = None) -> Availability:
    """What a visitor can do about ``session`` now. Reads ``session.event`` (prefetched on the
    pages) and ``confirmed_count`` where annotated; without it (the home page) seats are not told."""
    now = now or timezone.now()
    if session.end < now:
        return Availability(SeatState.PAST)
    if session.is_cancelled:
        return Availability(SeatState.CANCELLED)
    if session.start <= now or (session.registration_closes_at and session.registration_closes_at <= now):
        return Availability(SeatState.CLOSED)
    if session.registration_opens_at and session.registration_opens_at > now:
        return Availability(SeatState.NOT_OPEN, opens_at=timezone.localtime(session.registration_opens_at, session.tz))
    closes_at = (
        timezone.localtime(session.registration_closes_at, session.tz) if session.registration_closes_at else None
    )
    confirmed = getattr(session, "confirmed_count", None)
    if confirmed is None:
        return Availability(SeatState.OPEN, closes_at=closes_at)
    seats_left = max(session.capacity - confirmed, 0)
    if seats_left == 0:
        if session.has_waiting_list:
            return Availability(SeatState.WAITING_LIST, seats_left=0, closes_at=closes_at)
        return Availability(SeatState.FULL, seats_left=0)
    state = SeatState.FEW if is_few(seats_left, session.capacity) else SeatState.LEFT
    return Availability(state, seats_left=seats_left, closes_at=closes_at)


def status_html(session: Session, now: datetime | None = None) -> SafeString:
    """The session's seat line and registration deadline, as one span (shown as a line of its
    own; empty when there is nothing to say): what ``{% seats %}`` writes. ``confirmed_count``
    must be annotated for seats to be told."""
    state = availability(session, now)
    text, deadline = state.text, state.deadline
    if not text and not deadline:
        return SafeString("")
    parts = []
    if text:
        parts.append(format_html('<span class="seats seats-{}">{}</span>', state.state.value, text))
    if deadline:
        when = format_html('<time datetime="{}">{}</time>', state.closes_at.isoformat(), deadline_text(state.closes_at))
        # The sentence is escaped, the time built by format_html.
        sentence = conditional_escape(gettext("Registration closes %(when)s")) % {"when": when}
        parts.append(format_html('<span class="deadline">{}</span>', mark_safe(sentence)))  # noqa: S308
    return format_html('<span class="session-status">{}</span>', SafeString(" · ".join(parts)))


def full_mark(session: Session) -> str:
    """What a full session's choice in the registration form adds to its date: "full, waiting
    list" or "full" ("" while seats are left, or when ``confirmed_count`` is not annotated)."""
    confirmed = getattr(session, "confirmed_count", None)
    if confirmed is None or confirmed < session.capacity:
        return ""
    return gettext("full, waiting list") if session.has_waiting_list else gettext("full")
