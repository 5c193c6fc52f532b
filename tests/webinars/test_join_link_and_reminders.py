"""Join-link emails: in the confirmation, when a coordinator adds or changes the link, on
promotion; reminders 24 h and 1 h before — once each, new after a move, never to cancelled."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from events import services as events_services
from events.models import Registration
from outbox.models import OutgoingEmail
from tests.events.factories import SECRET_URL, MeetingFactory, RegistrationFactory, SessionFactory, WebinarFactory
from webinars import services

pytestmark = pytest.mark.django_db


def _reg(session, email, **kw):
    return events_services.register(session=session, name="X", email=email, consent_text="ok", language="en", **kw)


@pytest.fixture
def session():
    return SessionFactory(event=WebinarFactory().event, capacity=1)


def test_confirmation_without_meeting_has_no_link_then_adding_it_sends_it_once(
    session, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _reg(session, "a@example.org")
        _reg(session, "waiting@example.org")
    assert all(SECRET_URL not in m.body for m in mailoutbox)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_meeting(session=session, join_url=SECRET_URL, meeting_id="1", passcode="p")
        services.set_meeting(session=session, join_url=SECRET_URL, meeting_id="1", passcode="p")  # unchanged
    assert [m.to for m in mailoutbox] == [["a@example.org"]]  # not the waiting list
    assert SECRET_URL in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        services.set_meeting(session=session, join_url=SECRET_URL + "&new", meeting_id="1", passcode="p")
    assert len(mailoutbox) == 2 and SECRET_URL + "&new" in mailoutbox[1].body


def test_promotion_email_carries_the_link(session, mailoutbox, django_capture_on_commit_callbacks):
    MeetingFactory(session=session)
    first = _reg(session, "a@example.org").registration
    _reg(session, "b@example.org")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        events_services.cancel_registration(registration=first)
    promoted = next(m for m in mailoutbox if m.to == ["b@example.org"])
    cancelled = next(m for m in mailoutbox if m.to == ["a@example.org"])
    assert SECRET_URL in promoted.body and SECRET_URL not in cancelled.body


def test_reminders_are_sent_once_each_and_again_after_a_move(mailoutbox, django_capture_on_commit_callbacks):
    start = timezone.now() + timedelta(days=3)
    session = SessionFactory(event=WebinarFactory().event, start=start, end=start + timedelta(hours=1))
    MeetingFactory(session=session)
    confirmed = RegistrationFactory(session=session, confirmed_at=timezone.now() - timedelta(days=1))
    RegistrationFactory(session=session, status="cancelled", email="gone@example.org")
    RegistrationFactory(session=session, status="waitlisted", confirmed_at=None, email="wait@example.org")
    assert services.send_due_reminders() == 0
    with time_machine.travel(start - timedelta(hours=23)):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_due_reminders() == 1
            assert services.send_due_reminders() == 0
    with time_machine.travel(start - timedelta(minutes=50)):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_due_reminders() == 1
            assert services.send_due_reminders() == 0
    assert [m.to for m in mailoutbox] == [[confirmed.email]] * 2
    assert all(SECRET_URL in m.body and re.search(r"CES?T \(UTC\+[12]\)", m.body) for m in mailoutbox)
    new_start = start + timedelta(days=7)
    events_services.move_session(session=session, start=new_start, end=new_start + timedelta(hours=1))
    with time_machine.travel(new_start - timedelta(hours=20)):
        assert services.send_due_reminders() == 1
    assert OutgoingEmail.objects.filter(purpose__startswith="webinars/reminder").count() == 3


def test_reminders_skip_cancelled_sessions():
    start = timezone.now() + timedelta(hours=10)
    session = SessionFactory(event=WebinarFactory().event, start=start, end=start + timedelta(hours=1))
    MeetingFactory(session=session)
    RegistrationFactory(session=session, confirmed_at=timezone.now() - timedelta(days=1))
    events_services.cancel_session(session=session)
    assert services.send_due_reminders() == 0


@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_no_join_link_for_sessions_of_an_unpublished_event(status, mailoutbox, django_capture_on_commit_callbacks):
    session = SessionFactory(event=WebinarFactory().event)
    RegistrationFactory(session=session, email="a@example.org")
    type(session.event).objects.filter(pk=session.event_id).update(status=status)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_meeting(session=session, join_url=SECRET_URL, meeting_id="1", passcode="p")
        assert services.resend_join_link(session=session) == 0
    assert mailoutbox == []


def test_cancelling_the_event_then_setting_the_link_emails_nobody(mailoutbox, django_capture_on_commit_callbacks):
    session = SessionFactory(event=WebinarFactory().event)
    RegistrationFactory(session=session, email="a@example.org")
    events_services.cancel_event(event=session.event)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_meeting(session=session, join_url=SECRET_URL)
    assert all(SECRET_URL not in m.body for m in mailoutbox) and mailoutbox == []


def test_the_24h_reminder_skips_people_who_registered_after_its_moment(mailoutbox, django_capture_on_commit_callbacks):
    start = timezone.now() + timedelta(days=3)
    session = SessionFactory(event=WebinarFactory().event, start=start, end=start + timedelta(hours=1))
    MeetingFactory(session=session)
    early = RegistrationFactory(session=session, email="early@example.org", confirmed_at=start - timedelta(days=2))
    RegistrationFactory(session=session, email="late@example.org", confirmed_at=start - timedelta(hours=5))
    with time_machine.travel(start - timedelta(hours=4)):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_due_reminders() == 1
    assert [m.to for m in mailoutbox] == [[early.email]]
    mailoutbox.clear()
    # Both were confirmed before the 1-hour reminder's moment: both get that one.
    with time_machine.travel(start - timedelta(minutes=50)):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_due_reminders() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["early@example.org", "late@example.org"]


def test_join_link_with_query_parameters_reaches_the_text_part_unescaped(django_capture_on_commit_callbacks, mailoutbox):
    from events.services import register
    from webinars.services import set_meeting

    webinar = WebinarFactory()
    session = SessionFactory(event=webinar.event, capacity=5)
    set_meeting(session=session, join_url="https://zoom.example/j/123?pwd=abc&uname=x", passcode="p1")
    with django_capture_on_commit_callbacks(execute=True):
        register(session=session, name="Ana", email="ana@example.org", consent_text="I agree.")
    confirmation = mailoutbox[-1]
    assert "https://zoom.example/j/123?pwd=abc&uname=x" in confirmation.body
    assert "&amp;" not in confirmation.body


def test_a_switch_to_a_parallel_session_gets_its_reminder_and_join_link(mailoutbox, django_capture_on_commit_callbacks):
    """The keys name the session: a registration that switched to another session at the same
    time, with the same link, is not taken for one already told (and left without the email)."""
    start = timezone.now() + timedelta(days=3)
    webinar = WebinarFactory()
    a = SessionFactory(event=webinar.event, start=start, end=start + timedelta(hours=1), capacity=5)
    b = SessionFactory(event=webinar.event, start=start, end=start + timedelta(hours=1), capacity=5)
    ana = RegistrationFactory(session=a, email="ana@example.org", confirmed_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.set_meeting(session=a, join_url=SECRET_URL, meeting_id="1", passcode="p")
    with time_machine.travel(start - timedelta(hours=23)):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_due_reminders() == 1
        with django_capture_on_commit_callbacks(execute=True):
            events_services.switch_registration(registration=ana, session=b)
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.set_meeting(session=b, join_url=SECRET_URL, meeting_id="1", passcode="p")  # the same link
        assert [m.to for m in mailoutbox] == [["ana@example.org"]] and SECRET_URL in mailoutbox[0].body
        # Confirmed on B before the 24-hour reminder's moment (as if she had switched earlier):
        # B's 24-hour reminder is due although A's went out.
        Registration.objects.filter(pk=ana.pk).update(confirmed_at=start - timedelta(days=2))
        assert services.send_due_reminders() == 1
