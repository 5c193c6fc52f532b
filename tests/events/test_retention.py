"""Retention of registrations: anonymised ``RETENTION_REGISTRATION_DAYS`` after their session
(``events.personal_data``), the rows and seat counts kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from events.models import Registration
from events.personal_data import Registrations
from tests.events.factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db
START = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def anonymise_old_registrations() -> int:
    return Registrations().apply_retention(now=timezone.now())["registrations_anonymised"]


@pytest.fixture
def ended_session():
    with time_machine.travel(START - timedelta(days=30), tick=False):
        return SessionFactory(start=START, end=START + timedelta(hours=2))


def test_registration_is_anonymised_after_the_retention_period(ended_session):
    registration = RegistrationFactory(session=ended_session, name="Ana Novak", email="ana@example.org",
                                       affiliation="NUK", role="Librarian")
    with time_machine.travel(START + timedelta(days=179), tick=False):
        assert anonymise_old_registrations() == 0
    registration.refresh_from_db()
    assert registration.email == "ana@example.org"
    with time_machine.travel(START + timedelta(days=181), tick=False):
        assert anonymise_old_registrations() == 1
        assert anonymise_old_registrations() == 0  # idempotent
    registration.refresh_from_db()
    assert (registration.name, registration.affiliation, registration.role) == ("", "", "")
    assert registration.email == f"anonymised-{registration.pk}@invalid"
    assert registration.status == Registration.Status.CONFIRMED  # the row and the counts stay
    assert Registration.objects.filter(session=ended_session).confirmed().count() == 1


def test_registration_days_come_from_settings(settings, ended_session):
    settings.RETENTION_REGISTRATION_DAYS = 10
    registration = RegistrationFactory(session=ended_session)
    with time_machine.travel(START + timedelta(days=11), tick=False):
        assert anonymise_old_registrations() == 1
    registration.refresh_from_db()
    assert registration.email.endswith("@invalid")


def test_upcoming_sessions_registrations_are_kept():
    registration = RegistrationFactory(email="future@example.org")
    assert anonymise_old_registrations() == 0
    registration.refresh_from_db()
    assert registration.email == "future@example.org"
