"""An event's seats, put into its cached page each time the page is served.

Every registration changes its event's seats, and the event's page is the one everybody opens
while they register. So the page is cached without them: it is rendered with a slot for each
date's seat line and for each form choice's "full" mark, and the slots are filled each time the
page is served (``core.cache.cached_public_page(fill=...)``) from the counts of the event's
sessions. Those are read in one query, once per process while the event's part of the seats
area and the events area are unchanged (``core.cache.remembered``: within a second of a
registration in any process), and what fills the slots is built from them once per language
until a date's state changes by itself (``next_change``). So a burst of registrations costs the
page a count a second, not a rendering. A page rendered afresh is filled from the counts it was
rendered from (``fill(sessions=...)``: read once), and one shown after a refused post from counts
read for it (the visitor has just been told the date is full). While the database cannot be
reached, a cached page whose counts this process does not remember is served with its slots
empty, and the process pauses before it reads again (``database_breaker``) rather than make
every visitor wait for a connection attempt.

The slots are HTML comments: escaped text cannot write one, the Markdown cleaner drops comments
and escapes ``<`` in attribute values, so only the page's own templates put them there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.breaker import CircuitBreaker, breaker
from core.cache import LOCAL_SECONDS, ContentArea, remembered

from .listing import full_mark, status_html
from .models import Session, event_seats_scope

T = TypeVar("T")

_SLOT = re.compile(rb"<!--seats:((?:status|full):\d+)-->")


def status_slot(session: Session) -> SafeString:
    """Where the ``status_html`` of ``session`` goes, filled per request (``fill``)."""
    return SafeString(f"<!--seats:status:{int(session.pk)}-->")


def full_mark_slot(session: Session) -> SafeString:
    """Where " · " and the ``full_mark`` of ``session`` go in its form choice, filled per request."""
    return SafeString(f"<!--seats:full:{int(session.pk)}-->")


def next_change(sessions: list[Session], now: datetime) -> datetime | None:
    """When what a page says about ``sessions`` changes by itself: a session's registration
    opens or closes, it starts or ends (None if never)."""
    moments = [
        moment
        for session in sessions
        for moment in (session.registration_opens_at, session.registration_closes_at, session.start, session.end)
        if moment is not None and moment >= now
    ]
    return min(moments, default=None)


class CountedSessions:
    """The sessions of one event in date order, with their counts and their event (``sessions``),
    and what fills their slots, built once per language for as long as it holds. Shared by a
    process's threads (``counted``): read-only but for those fillings (two threads building the
    same at once build equal ones)."""

    def __init__(self, sessions: list[Session]) -> None:
        self.sessions = sessions
        self._fillings: dict[str | None, tuple[datetime, datetime | None, dict[bytes, bytes]]] = {}

    def fillings(self, now: datetime) -> dict[bytes, bytes]:
        """``{b"status:<id>": ..., b"full:<id>": ...}`` in the active language, as at ``now``."""
        language = translation.get_language()
        built = self._fillings.get(language)
        if built is not None and built[0] <= now and (built[1] is None or now < built[1]):
            return built[2]
        fillings: dict[bytes, bytes] = {}
        for session in self.sessions:
            fillings[b"status:%d" % session.pk] = status_html(session, now).encode()
            mark = full_mark(session)
            fillings[b"full:%d" % session.pk] = format_html(" · {}", mark).encode() if mark else b""
        self._fillings[language] = (now, next_change(self.sessions, now), fillings)
        return fillings


def read_counted(slug: str) -> CountedSessions:
    """The sessions of the event ``slug`` with their counts, read now (one query)."""
    sessions = Session.objects.filter(event__slug=slug).select_related("event").with_counts().order_by("start")
    return CountedSessions(list(sessions))


def counted(slug: str) -> CountedSessions:
    """``read_counted(slug)`` as this process remembers it (see above)."""
    return _remembered_counts(slug, lambda: read_counted(slug))


def _counted_while_reachable(slug: str) -> CountedSessions | None:
    """``counted(slug)``, or None while the database cannot be reached: only reading the counts
    goes through ``database_breaker``, so while it is open the pages of events whose counts this
    process remembers keep their seats (nobody can register meanwhile: they are still exact)."""
    return _remembered_counts(
        slug,
        lambda: database_breaker().call(
            lambda: read_counted(slug), fallback=lambda: None, failures=(OperationalError, InterfaceError)
        ),
    )


def _remembered_counts(slug: str, build: Callable[[], T]) -> T:
    """What ``build`` reads of the event ``slug``'s counts, kept as ``counted`` keeps it (a None
    is never kept: ``core.cache.remembered``)."""
    return remembered(
        f"events:counted-sessions:{slug}", areas=[ContentArea.EVENTS, event_seats_scope(slug)], build=build
    )


def database_breaker() -> CircuitBreaker:
    """After a count failed to reach the database, cached event pages are served without their
    seats for a while (``core.breaker``; then one page tries again) rather than each make its
    visitor wait for a connection attempt: three times the connection timeout (a host that does
    not answer costs that), so a sync worker spends at most a quarter of an outage waiting."""
    options = settings.DATABASES["default"].get("OPTIONS") or {}
    interval = max(LOCAL_SECONDS, 3 * float(options.get("connect_timeout") or 0))
    return breaker("The database (for the seats of cached event pages)", interval=interval)


def fill(content: bytes, slug: str, *, sessions: CountedSessions | None = None) -> bytes:
    """``content`` (a page of the event ``slug``) with its seat slots filled in the active
    language, from ``sessions`` (the counts the page was rendered from) or else the counts as
    they are now; a slot of a session gone meanwhile is left empty, and so are all of them while
    the counts cannot be read (the page is still served: ``_counted_while_reachable``)."""
    if b"<!--seats:" not in content:
        return content
    if sessions is None:
        sessions = _counted_while_reachable(slug)
    fillings = sessions.fillings(timezone.now()) if sessions is not None else {}
    return _SLOT.sub(lambda match: fillings.get(match[1], b""), content)
