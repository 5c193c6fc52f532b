"""Calendar files carry a VTIMEZONE for every TZID they use (RFC 5545 3.2.19) and still parse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events import calendar

from .factories import RegistrationFactory, SessionFactory

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
