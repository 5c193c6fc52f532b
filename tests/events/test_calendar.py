"""Calendar files carry a VTIMEZONE for every TZID they use (RFC 5545 3.2.19) and still parse;
a registrant's invitation is one entry (the registration's UID) updated with a rising SEQUENCE
(RFC 5546), while the public feed lists each session under its own UID."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events import calendar, services

from .factories import EventFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _tzids(cal: Calendar) -> tuple[set[str], set[str]]:
    defined = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    used = {vevent["DTSTART"].params["TZID"] for vevent in cal.walk("VEVENT")}
    return defined, used


def test_invitation_defines_the_sessions_time_zone():
    registration = RegistrationFactory(session=SessionFactory(time_zone="America/New_York"))
    text = calendar.session_invitation(registration.session, registration=registration)
    cal = Calendar.from_ical(text)
    defined, used = _tzids(cal)
    assert used == {"America/New_York"} and defined == used
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")
    (vevent,) = cal.walk("VEVENT")
    assert vevent.decoded("DTSTART") == registration.session.start.replace(microsecond=0)


def test_public_feed_defines_every_time_zone_used(client):
    start = timezone.now() + timedelta(days=3)
    SessionFactory(time_zone="Europe/Ljubljana", start=start, end=start + timedelta(hours=1))
    SessionFactory(time_zone="Asia/Tokyo", start=start, end=start + timedelta(hours=1))
    response = client.get(reverse("events:calendar_feed"))
    cal = Calendar.from_ical(response.content)
    defined, used = _tzids(cal)
    assert used == {"Europe/Ljubljana", "Asia/Tokyo"} and defined == used


def _entry(message) -> tuple[str, str, int, object]:
    """(METHOD, UID, SEQUENCE, DTSTART) of the one calendar file attached to ``message``."""
    (attachment,) = message.attachments
    cal = Calendar.from_ical(attachment[1])
    (vevent,) = cal.walk("VEVENT")
    assert attachment[2] == f"text/calendar; method={cal['METHOD']}"
    return str(cal["METHOD"]), str(vevent["UID"]), int(vevent["SEQUENCE"]), vevent.decoded("DTSTART")


def test_one_entry_updated_through_register_switch_switch_back_and_cancel(
    mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory()
    a = SessionFactory(event=event)
    b = SessionFactory(event=event, start=a.start + timedelta(days=7), end=a.end + timedelta(days=7))
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.register(
            session=a, name="Ana", email="ana@example.org", consent_text="ok", language="en"
        ).registration
    # Each step in its own transaction, as from the own page (a switch withdraws what is still queued).
    for step in (
        lambda: services.switch_registration(registration=registration, session=b),
        lambda: services.switch_registration(registration=registration, session=a),
        lambda: services.cancel_registration(registration=registration),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            step()
    entries = [_entry(message) for message in mailoutbox]
    assert [method for method, *_ in entries] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    assert {uid for _m, uid, *_ in entries} == {registration.calendar_uid}
    assert registration.calendar_uid not in (a.calendar_uid, b.calendar_uid)
    sequences = [sequence for _m, _u, sequence, _s in entries]
    assert sequences == sorted(set(sequences)) and sequences[0] == 0, sequences
    starts = [start for *_, start in entries]
    assert starts[:3] == [a.start.replace(microsecond=0), b.start.replace(microsecond=0), a.start.replace(microsecond=0)]
    registration.refresh_from_db()
    assert registration.calendar_sequence == sequences[-1]


def test_a_coordinators_move_and_cancellation_raise_each_registrants_sequence(
    mailoutbox, django_capture_on_commit_callbacks
):
    session = SessionFactory()
    first = RegistrationFactory(session=session, email="a@example.org")
    switched_before = RegistrationFactory(session=session, email="b@example.org", calendar_sequence=4)
    with django_capture_on_commit_callbacks(execute=True):
        services.move_session(session=session, start=session.start + timedelta(hours=1), end=session.end + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(session=session)
    by_address = {}
    for message in mailoutbox:
        by_address.setdefault(message.to[0], []).append(_entry(message))
    assert [(m, s) for m, _u, s, _d in by_address["a@example.org"]] == [("REQUEST", 1), ("CANCEL", 2)]
    assert [(m, s) for m, _u, s, _d in by_address["b@example.org"]] == [("REQUEST", 5), ("CANCEL", 6)]
    assert {u for _m, u, _s, _d in by_address["b@example.org"]} == {switched_before.calendar_uid}
    first.refresh_from_db()
    assert first.calendar_sequence == 2


def test_the_public_feed_keeps_the_sessions_own_uid_and_sequence(client):
    session = SessionFactory()
    RegistrationFactory(session=session, calendar_sequence=7)
    services.move_session(session=session, start=session.start + timedelta(hours=1), end=session.end + timedelta(hours=1))
    (vevent,) = Calendar.from_ical(client.get(reverse("events:calendar_feed")).content).walk("VEVENT")
    assert str(vevent["UID"]) == session.calendar_uid and int(vevent["SEQUENCE"]) == 1


def test_the_calendar_names_the_site_in_its_own_language(settings):
    """The organiser of an invitation (in the registrant's language) and the public feed's name
    (in the active one) are ``SITE_NAME``, translated."""
    from django.utils import translation

    slovene = RegistrationFactory(language="sl")
    cal = Calendar.from_ical(calendar.session_invitation(slovene.session, registration=slovene))
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["ORGANIZER"].params["CN"]) == "Mreža za občansko znanost"
    with translation.override("en"):
        assert str(Calendar.from_ical(calendar.public_feed([]))["X-WR-CALNAME"]) == "Citizen Science Network"
    settings.SITE_NAME = "Open Science Lab"
    english = RegistrationFactory(language="en")
    cal = Calendar.from_ical(calendar.session_invitation(english.session, registration=english))
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["ORGANIZER"].params["CN"]) == "Open Science Lab"
