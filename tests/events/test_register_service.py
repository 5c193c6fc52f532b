"""events.services: register, the waiting list, cancellation and promotion, moving and
cancelling a session — and exactly which emails each sends."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone
from icalendar import Calendar

from events import services, signals
from events.models import Registration, Session

from .factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _register(session, email="ana@example.org", **kw):
    defaults = dict(name="Ana", email=email, affiliation="UL", role="", consent_text="I agree.", language="en")
    defaults.update(kw)
    return services.register(session=session, **defaults)


def _ics(message) -> Calendar:
    (name, content, mimetype), = [a for a in message.attachments]
    assert name == "invite.ics" and mimetype.startswith("text/calendar")
    return Calendar.from_ical(content)


def test_register_confirms_and_sends_one_confirmation_with_calendar(mailoutbox, django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        result = _register(session, email="  Ana@Example.ORG ")
    assert result.created and not result.waitlisted
    assert result.registration.email == "ana@example.org"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ana@example.org"]
    assert "confirmed" in message.subject.lower()
    assert re.search(r"CES?T \(UTC\+[12]\)", message.body)  # the zone and its offset, as on the pages
    cal = _ics(message)
    assert cal["METHOD"] == "REQUEST"
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["UID"]) == result.registration.calendar_uid, "the person's own entry, not the session's"
    assert int(vevent["SEQUENCE"]) == 0


def test_full_session_puts_people_on_the_waiting_list(mailoutbox, django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=1)
    _register(session, email="first@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        result = _register(session, email="second@example.org")
    assert result.waitlisted
    assert mailoutbox[-1].to == ["second@example.org"]
    assert "waiting list" in mailoutbox[-1].subject.lower()
    assert not mailoutbox[-1].attachments


@pytest.mark.parametrize(
    "change, code",
    [
        (dict(has_waiting_list=False, capacity=0), "full"),
        (dict(status=Session.Status.CANCELLED), "cancelled"),
        (dict(registration_closes_at=timezone.now() - timedelta(minutes=1)), "closed"),
        (dict(registration_opens_at=timezone.now() + timedelta(days=1)), "not_open"),
    ],
)
def test_sessions_that_take_no_registrations_raise_a_clear_error(change, code, mailoutbox):
    session = SessionFactory(**change)
    with pytest.raises(services.RegistrationError) as info:
        _register(session)
    assert info.value.code == code and info.value.message
    assert not Registration.objects.exists()
    assert mailoutbox == []


def test_past_session_raises():
    session = SessionFactory(start=timezone.now() - timedelta(hours=1), end=timezone.now() + timedelta(hours=1))
    with pytest.raises(services.RegistrationError) as info:
        _register(session)
    assert info.value.code == "past"


def test_repeated_submit_returns_the_existing_registration_and_sends_nothing_until_asked(
    mailoutbox, django_capture_on_commit_callbacks
):
    """A repeat for an open session is answered on the result page ("already registered, the
    confirmation was sent on …") with "send it again": the email goes only when asked."""
    session = SessionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = _register(session)
        again = _register(session, email="ANA@example.org")
    assert not again.created and again.registration.pk == first.registration.pk
    assert again.registration.confirmation_sent_at is not None, "the result page names when it went out"
    assert Registration.objects.count() == 1
    assert len(mailoutbox) == 1  # a double submit gives one email
    with time_machine.travel(timezone.now() + services.RESEND_INTERVAL + timedelta(seconds=1)):
        with django_capture_on_commit_callbacks(execute=True):
            later = _register(session)
        assert not later.created and len(mailoutbox) == 1, "coming back later sends nothing by itself"
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_again(registration=later.registration)
            assert not services.send_again(registration=later.registration), "once per interval"
    assert Registration.objects.count() == 1
    assert len(mailoutbox) == 2 and mailoutbox[1].to == ["ana@example.org"]


def test_database_allows_only_one_active_registration_per_email():
    registration = RegistrationFactory(email="x@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(session=registration.session, email="x@example.org")
    registration.status = Registration.Status.CANCELLED
    registration.save()
    RegistrationFactory(session=registration.session, email="x@example.org")  # allowed after cancelling


def test_database_rejects_negative_capacity_and_end_before_start():
    session = SessionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(capacity=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(end=session.start)


def test_cancelling_promotes_the_waiting_list_in_order(mailoutbox, django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=1)
    seated = _register(session, email="seated@example.org").registration
    _register(session, email="second@example.org")
    _register(session, email="third@example.org")
    mailoutbox.clear()
    promoted = []
    signals.registration_promoted.connect(lambda sender, registration, **kw: promoted.append(registration.email),
                                          weak=False, dispatch_uid="test-promoted")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.cancel_registration(registration=seated)
    finally:
        signals.registration_promoted.disconnect(dispatch_uid="test-promoted")
    assert promoted == ["second@example.org"]
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses == {"seated@example.org": "cancelled", "second@example.org": "confirmed",
                        "third@example.org": "waitlisted"}
    assert sorted(m.to[0] for m in mailoutbox) == ["seated@example.org", "second@example.org"]
    cancelled = next(m for m in mailoutbox if m.to == ["seated@example.org"])
    assert _ics(cancelled)["METHOD"] == "CANCEL"
    promoted_mail = next(m for m in mailoutbox if m.to == ["second@example.org"])
    assert _ics(promoted_mail)["METHOD"] == "REQUEST"


def test_cancelling_twice_sends_one_email(mailoutbox, django_capture_on_commit_callbacks):
    registration = _register(SessionFactory()).registration
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(registration=registration)
        services.cancel_registration(registration=registration)
    assert len(mailoutbox) == 1


def test_cancelling_a_waitlisted_registration_promotes_nobody(mailoutbox, django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=1)
    _register(session, email="a@example.org")
    waiting = _register(session, email="b@example.org").registration
    _register(session, email="c@example.org")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(registration=waiting)
    assert [m.to for m in mailoutbox] == [["b@example.org"]]
    assert Registration.objects.get(email="c@example.org").status == "waitlisted"


def test_moving_a_session_raises_sequence_and_tells_active_registrants(mailoutbox, django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=5)
    kept = _register(session, email="a@example.org").registration
    gone = _register(session, email="b@example.org").registration
    services.cancel_registration(registration=gone)
    mailoutbox.clear()
    new_start = session.start + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.move_session(session=session, start=new_start, end=new_start + timedelta(hours=1))
    assert moved.sequence == 1
    assert [m.to for m in mailoutbox] == [["a@example.org"]]
    (vevent,) = _ics(mailoutbox[0]).walk("VEVENT")
    kept.refresh_from_db()
    assert kept.calendar_sequence == 1
    assert int(vevent["SEQUENCE"]) == 1 and str(vevent["UID"]) == kept.calendar_uid
    assert Registration.objects.get(email="b@example.org").calendar_sequence == 1, "cancelled before: not told"


def test_cancelling_a_session_sends_method_cancel(mailoutbox, django_capture_on_commit_callbacks):
    session = SessionFactory()
    registration = _register(session, email="a@example.org").registration
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(session=session)
        services.cancel_session(session=session)
    assert len(mailoutbox) == 1
    cal = _ics(mailoutbox[0])
    assert cal["METHOD"] == "CANCEL"
    assert int(cal.walk("VEVENT")[0]["SEQUENCE"]) == 1
    assert str(cal.walk("VEVENT")[0]["UID"]) == registration.calendar_uid
    with pytest.raises(services.RegistrationError):
        _register(session, email="late@example.org")


def test_opt_in_is_announced_after_commit_only(django_capture_on_commit_callbacks):
    heard = []
    signals.registration_opt_in.connect(lambda sender, email, language, **kw: heard.append((email, language)),
                                        weak=False, dispatch_uid="test-opt-in")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            _register(SessionFactory(), email="yes@example.org", mailing_list_opt_in=True, language="sl")
            _register(SessionFactory(), email="no@example.org", mailing_list_opt_in=False)
        assert heard == []
        for callback in callbacks:
            callback()
    finally:
        signals.registration_opt_in.disconnect(dispatch_uid="test-opt-in")
    assert heard == [("yes@example.org", "sl")]
    assert Registration.objects.get(email="yes@example.org").mailing_list_opt_in is True


def test_manage_token_round_trip_and_tampering():
    registration = RegistrationFactory()
    token = services.manage_token(registration)
    assert services.registration_for_token(token) == registration
    assert services.registration_for_token(token[:-2] + "xx") is None
    assert services.registration_for_token("garbage") is None


def test_the_link_of_an_anonymised_registration_opens_nothing():
    """Retention or erasure blanked the row: its old links (still in someone's mailbox) lead to
    no page, no calendar file, no switch or cancellation."""
    registration = RegistrationFactory()
    other = RegistrationFactory()
    token = services.manage_token(registration)
    assert services.anonymise_registrations(registrations=Registration.objects.filter(pk=registration.pk)) == 1
    assert services.registration_for_token(token) is None
    assert services.registration_for_token(services.manage_token(other)) == other
