"""Calendar files (RFC 5545) built with the icalendar library.

``session_invitation`` is the personal file of one registrant (METHOD:REQUEST, or METHOD:CANCEL
when the registration or session is cancelled): attached to their emails and downloaded from
their own registration page. For a confirmed registrant of an online session its ``URL``,
``LOCATION`` and ``DESCRIPTION`` carry the join link (asked of the apps that know meetings through
``signals.registrant_join_details``). ``public_feed`` is the public ``/events/calendar.ics``: it
never carries a join link, nor anything personal.

Calendar identity (RFC 5546): a registrant's personal file is about *their* entry, whose ``UID``
is the registration's (``Registration.calendar_uid``) and whose ``SEQUENCE`` is
``Registration.calendar_sequence`` — raised on every change they are told about (a switch, a
promotion, a move or cancellation of their session, their own cancellation). So switching to
another date is one METHOD:REQUEST with the same UID, a higher SEQUENCE and the new time, and a
cancellation is METHOD:CANCEL with the same UID and a higher SEQUENCE. The public feed is about
sessions: each has the session's own UID and ``Session.sequence``.

Texts are in one language — the registrant's (``Registration.language``) for an invitation, the
URL's for the public feed — with the same fallback as the pages; each text property carries the
language it is actually written in (RFC 5545 ``LANGUAGE`` parameter), so an English title shown
in a Slovenian file says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as ICalEvent

from core.content import current_language, localised
from core.sites import absolute_url, site_name

from . import signals
from .models import Event, Registration, Session

PRODID = "-//Citizen Science Network//Events//EN"
# How far back the public calendar feed and the events API reach.
FEED_PAST_DAYS = timedelta(days=90)


def _organiser_address() -> str:
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "network@localhost"


def _add_text(item: ICalEvent, name: str, obj: object, field: str) -> None:
    """``obj.<field>`` in the active language, or its fallback, with the language it is written in."""
    value, language = localised(obj, field)
    if value:
        item.add(name, value, parameters={"LANGUAGE": language})


def _vevent(session: Session, *, uid: str, sequence: int, cancelled: bool = False) -> ICalEvent:
    """The session in the active language (its page's URL too), as the entry ``uid``."""
    event: Event = session.event
    item = ICalEvent()
    item.add("uid", uid)
    item.add("sequence", sequence)
    item.add("dtstamp", timezone.now())
    item.add("dtstart", session.local_start())
    item.add("dtend", session.local_end())
    _add_text(item, "summary", event, "title")
    _add_text(item, "description", event, "summary")
    url = absolute_url(event.get_absolute_url())
    item.add("url", url)
    if event.venue:
        _add_text(item, "location", event, "venue")
    elif event.mode == Event.Mode.ONLINE:
        item.add("location", str(Event.Mode.ONLINE.label), parameters={"LANGUAGE": current_language()})
    item.add("status", "CANCELLED" if cancelled or session.is_cancelled else "CONFIRMED")
    return item


# How far around its sessions a calendar's VTIMEZONE definitions reach (one year each way
# keeps the file small and still covers every date in it).
TIMEZONE_MARGIN = timedelta(days=366)


def _to_ical(cal: Calendar, sessions: Iterable[Session]) -> str:
    """Serialise with a VTIMEZONE for every TZID used (RFC 5545 3.2.19: a TZID parameter must
    refer to a VTIMEZONE in the same file), covering the sessions' dates."""
    dates = [d for s in sessions for d in (s.local_start().date(), s.local_end().date())]
    if dates:
        cal.add_missing_timezones(first_date=min(dates) - TIMEZONE_MARGIN, last_date=max(dates) + TIMEZONE_MARGIN)
    return cal.to_ical().decode()


def _add_join_details(item: ICalEvent, details: signals.JoinDetails, *, event: Event, manage_link: str) -> None:
    """Put the join link into ``URL``, ``LOCATION`` (after a venue) and ``DESCRIPTION`` (after the
    event's summary, with the meeting ID, passcode and the registrant's own page)."""
    item.pop("url", None)
    item.add("url", details.url)
    venue, venue_language = localised(event, "venue")
    item.pop("location", None)
    item.add("location", f"{venue} · {details.url}" if venue else details.url,
             parameters={"LANGUAGE": venue_language if venue else current_language()})
    summary, summary_language = localised(event, "summary")
    labelled = [
        (_("Join online"), details.url),
        (_("Meeting ID"), details.meeting_id),
        (_("Passcode"), details.passcode),
        (_("Your registration"), manage_link),
    ]
    lines = [f"{label}: {value}" for label, value in labelled if value]
    item.pop("description", None)
    text = "\n".join(lines)
    item.add("description", f"{summary}\n\n{text}" if summary else text,
             parameters={"LANGUAGE": summary_language if summary else current_language()})


def session_invitation(
    session: Session, *, registration: Registration, cancel: bool = False, manage_link: str = ""
) -> str:
    """The calendar file for one registrant, in their language: their entry's UID and SEQUENCE
    (the registration's, kept across switches), METHOD REQUEST or CANCEL. A confirmed registrant's REQUEST carries the join link
    of an online session (``signals.registrant_join_details``) and ``manage_link`` (their own
    page) when given."""
    with translation.override(registration.language or settings.LANGUAGE_CODE):
        item = _vevent(
            session, uid=registration.calendar_uid, sequence=registration.calendar_sequence, cancelled=cancel
        )
        organiser_name = site_name()  # in the registrant's language, as the whole invitation
        if not cancel and registration.status == Registration.Status.CONFIRMED and not session.is_cancelled:
            registration.session = session
            details = signals.join_details_for(registration)
            if details is not None:
                _add_join_details(item, details, event=session.event, manage_link=manage_link)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    organiser = vCalAddress(f"mailto:{_organiser_address()}")
    organiser.params["cn"] = vText(organiser_name)
    item.add("organizer", organiser)
    attendee = vCalAddress(f"mailto:{registration.email}")
    attendee.params["cn"] = vText(registration.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("DECLINED" if cancel else "ACCEPTED")
    item.add("attendee", attendee)
    cal.add_component(item)
    return _to_ical(cal, [session])


def public_feed(sessions: Iterable[Session]) -> str:
    """The public calendar of published sessions in the active language (METHOD:PUBLISH, no
    personal data, no links other than the event's public page)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", site_name())
    cal.add("refresh-interval;value=duration", "PT6H")
    sessions = list(sessions)
    for session in sessions:
        cal.add_component(_vevent(session, uid=session.calendar_uid, sequence=session.sequence))
    return _to_ical(cal, sessions)
