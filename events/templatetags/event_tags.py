"""Template tags for sessions: their zone label, seats and deadline, and what the visitor-time
script (``static/js/local-time.js``) needs to write its line in the page's language."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import formats
from django.utils.safestring import SafeString

from core import zones
from events import listing
from events import seats as event_seats
from events.models import Session

register = template.Library()


@register.filter(expects_localtime=True)
def zone_label(moment: datetime) -> str:
    """The zone of an aware datetime: "CET (UTC+1)" (``core.zones.zone_label``)."""
    return zones.zone_label(moment) if moment else ""


@register.simple_tag
def time_separator() -> str:
    """The character between hours and minutes in the active language's TIME_FORMAT (":" or ".")."""
    time_format = formats.get_format("TIME_FORMAT")
    between = time_format.replace("H", "").replace("G", "").replace("i", "")
    return between[:1] or ":"


@register.simple_tag
def seats(session: Session) -> SafeString:
    """The session's seat line and registration deadline (``listing.status_html``). ``confirmed_count``
    must be annotated for seats to be told."""
    return listing.status_html(session)


@register.simple_tag
def seats_slot(session: Session) -> SafeString:
    """Where the session's ``{% seats %}`` goes in a page cached without its seats, filled each
    time the page is served (``events.seats``)."""
    return event_seats.status_slot(session)


@register.simple_tag
def next_session(sessions) -> Session | None:
    """The first session that has not ended, from a prefetched list (``{% next_session s as n %}``)."""
    return listing.next_session(sessions)


@register.simple_tag
def listed_sessions(sessions, limit: int = 3) -> list[Session]:
    """The sessions a list shows: the next ``limit``, or the last ones when all are over."""
    return listing.listed_sessions(sessions, limit)


@register.simple_tag
def when(session: Session) -> str:
    """``{% when session %}``: the session's time as plain text, as every page shows it
    ("Monday, 14 December 2026, 10:00–11:30 CET (UTC+1)"): for emails and calendar text."""
    return listing.when_text(session)


@register.simple_tag
def when_between(start: datetime, end: datetime, time_zone: str) -> str:
    """``{% when_between old_start old_end old_time_zone %}``: as ``{% when %}`` for a time that
    is not a session's (a moved session's previous time)."""
    return listing.between_text(start, end, time_zone)
