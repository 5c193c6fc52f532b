"""Template tags for sessions: their zone label, seats and deadline, and what the visitor-time
script (``static/js/local-time.js``) needs to write its line in the page's language."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core import zones
from events import listing
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
    """The session's seat line and registration deadline, as one span (shown as a line of its own; empty when
    there is nothing to say). ``confirmed_count`` must be annotated for seats to be told."""
    state = listing.availability(session)
    text, deadline = state.text, state.deadline
    if not text and not deadline:
        return SafeString("")
    parts = []
    if text:
        parts.append(format_html('<span class="seats seats-{}">{}</span>', state.state.value, text))
    if deadline:
        when = format_html(
            '<time datetime="{}">{}</time>', state.closes_at.isoformat(), listing.deadline_text(state.closes_at)
        )
        # The sentence is escaped, the time built by format_html.
        sentence = conditional_escape(gettext("Registration closes %(when)s")) % {"when": when}
        parts.append(format_html('<span class="deadline">{}</span>', mark_safe(sentence)))
    return format_html('<span class="session-status">{}</span>', SafeString(" · ".join(parts)))


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
