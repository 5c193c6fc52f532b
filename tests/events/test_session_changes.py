"""Cancelling a whole event, moving and cancelling sessions: who is told what, and the manage
link of a cancelled session."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from events import services
from events.models import Event, Registration, Session

from .factories import EventFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _register(session, email):
    return services.register(session=session, name="Ana", email=email, consent_text="I agree.", language="en")


def test_cancel_event_cancels_each_scheduled_session_and_tells_everyone_once(
    mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory()
    first, second = SessionFactory(event=event, capacity=1), SessionFactory(event=event)
    _register(first, "a@example.org")
    _register(first, "waiting@example.org")
    _register(second, "b@example.org")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_event(event=event)
        services.cancel_event(event=event)  # idempotent
    assert Event.objects.get(pk=event.pk).status == Event.Status.CANCELLED
    assert set(Session.objects.values_list("status", flat=True)) == {Session.Status.CANCELLED}
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.org", "b@example.org", "waiting@example.org"]
    confirmed = [m for m in mailoutbox if m.to[0] != "waiting@example.org"]
    for message in confirmed:
        assert Calendar.from_ical(message.attachments[0][1])["METHOD"] == "CANCEL"
    # Nobody was promoted into the cancelled session on the way.
    assert Registration.objects.get(email="waiting@example.org").status == Registration.Status.WAITLISTED


def test_a_cancelled_session_cannot_be_moved(mailoutbox, django_capture_on_commit_callbacks):
    session = SessionFactory()
    _register(session, "a@example.org")
    services.cancel_session(session=session)
    mailoutbox.clear()
    new_start = session.start + timedelta(days=1)
    with pytest.raises(services.SessionCancelledError), django_capture_on_commit_callbacks(execute=True):
        services.move_session(session=session, start=new_start, end=new_start + timedelta(hours=1))
    assert mailoutbox == []
    assert Session.objects.get(pk=session.pk).start == session.start


def test_the_moved_email_states_the_previous_time_with_its_zone(mailoutbox, django_capture_on_commit_callbacks):
    zone = zoneinfo.ZoneInfo("Europe/Ljubljana")
    start = datetime(2031, 5, 6, 10, 0, tzinfo=zone)
    session = SessionFactory(start=start, end=start + timedelta(hours=2), time_zone="Europe/Ljubljana")
    _register(session, "a@example.org")
    mailoutbox.clear()
    new_start = datetime(2031, 5, 8, 9, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    with django_capture_on_commit_callbacks(execute=True):
        services.move_session(
            session=session, start=new_start, end=new_start + timedelta(hours=1), time_zone="America/New_York"
        )
    (message,) = mailoutbox
    html = message.alternatives[0][0]
    previous = "Previously: Tuesday, 6 May 2031, 10:00–12:00 CEST (UTC+2)"
    assert previous in message.body
    assert previous in html
    assert "Thursday, 8 May 2031, 09:00–10:00 EDT (UTC-4)" in message.body


def test_the_manage_page_of_a_cancelled_session_is_read_only(client, mailoutbox, django_capture_on_commit_callbacks):
    registration = RegistrationFactory()
    services.cancel_session(session=registration.session)
    mailoutbox.clear()
    url = reverse("events:manage_registration", kwargs={"token": services.manage_token(registration)})
    html = client.get(url).content.decode()
    assert "Cancel my registration" not in html and "This session has been cancelled" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 200
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CONFIRMED
    assert mailoutbox == []


def test_the_manage_page_of_a_cancelled_event_is_read_only(client):
    registration = RegistrationFactory()
    Event.objects.filter(pk=registration.session.event_id).update(status=Event.Status.CANCELLED)
    url = reverse("events:manage_registration", kwargs={"token": services.manage_token(registration)})
    client.post(url)
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CONFIRMED
