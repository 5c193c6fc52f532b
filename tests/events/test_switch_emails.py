"""Emails about a registration that switched dates: every idempotency key names the session, so
an email about the new date is never taken for one already written about the old date (and
dropped by the outbox)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from events import services
from events.models import Registration

from .factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _register(session, email):
    return services.register(session=session, name="Ana", email=email, consent_text="I agree.", language="en").registration


@pytest.fixture
def dates():
    event = EventFactory()
    a = SessionFactory(event=event, capacity=1)
    b = SessionFactory(event=event, capacity=1, start=a.start + timedelta(days=7), end=a.end + timedelta(days=7))
    return a, b


def _to(mailoutbox, address):
    return [m for m in mailoutbox if m.to == [address]]


def test_promoted_on_one_date_then_on_the_waiting_list_of_another_is_told_of_the_second_seat(
    dates, mailoutbox, django_capture_on_commit_callbacks
):
    a, b = dates
    holder_a = _register(a, "holder-a@example.org")
    holder_b = _register(b, "holder-b@example.org")
    ana = _register(a, "ana@example.org")
    assert ana.status == Registration.Status.WAITLISTED
    services.cancel_registration(registration=holder_a)  # Ana is promoted on A
    ana.refresh_from_db()
    assert ana.status == Registration.Status.CONFIRMED
    services.switch_registration(registration=ana, session=b, accept_waiting_list=True)
    ana.refresh_from_db()
    assert ana.session_id == b.pk and ana.status == Registration.Status.WAITLISTED
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(registration=holder_b)
    ana.refresh_from_db()
    assert ana.status == Registration.Status.CONFIRMED
    (promoted,) = _to(mailoutbox, "ana@example.org")
    assert promoted.subject.startswith("A seat is yours")
    assert promoted.attachments, "with the invitation"


def test_a_move_of_the_new_date_is_told_after_a_move_of_the_old_one(
    dates, mailoutbox, django_capture_on_commit_callbacks
):
    a, b = dates
    b.capacity = 5
    b.save()
    ana = _register(a, "ana@example.org")
    services.move_session(session=a, start=a.start + timedelta(hours=2), end=a.end + timedelta(hours=2))
    services.switch_registration(registration=ana, session=b)
    b.refresh_from_db()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.move_session(session=b, start=b.start + timedelta(hours=1), end=b.end + timedelta(hours=1))
    assert moved.sequence == a.sequence + 1 == 1, "the same session sequence as A's move"
    (email,) = _to(mailoutbox, "ana@example.org")
    assert "Previously:" in email.body



def test_a_switch_onto_a_waiting_list_keeps_the_registration_time_and_queues_last(dates):
    a, b = dates
    ana = _register(a, "ana@example.org")
    registered_at = ana.created_at
    _register(b, "holder@example.org")
    ben = _register(b, "ben@example.org")
    services.switch_registration(registration=ana, session=b, accept_waiting_list=True)
    ana.refresh_from_db()
    assert ana.created_at == registered_at, "the real time of registering, as exported"
    assert ana.waitlisted_at > ben.waitlisted_at
    assert list(b.registrations.waiting()) == [ben, ana]
    assert services.waiting_position(ana) == 2 and services.waiting_position(ben) == 1
