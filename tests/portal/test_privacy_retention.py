"""Retention, coordinated: the privacy notice shows the periods the apps apply (from settings), and
beat runs every app's rules once a day. Each rule is tested in its app's folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from portal.celery import app as celery_app
from tests.events.factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db
START = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def ended_session():
    with time_machine.travel(START - timedelta(days=30), tick=False):
        return SessionFactory(start=START, end=START + timedelta(hours=2))


def test_defaults_match_the_privacy_notice(settings, client):
    assert (settings.RETENTION_REGISTRATION_DAYS, settings.RETENTION_OUTBOX_DAYS) == (180, 90)
    assert settings.RETENTION_UNCONFIRMED_DAYS == 7
    html = client.get("/privacy/").content.decode()
    assert "180 days" in html and "90 days" in html and "7 days" in html


def test_privacy_notice_follows_the_settings(settings, client):
    settings.RETENTION_REGISTRATION_DAYS = 365
    settings.RETENTION_OUTBOX_DAYS = 30
    html = client.get("/privacy/").content.decode()
    assert "365 days" in html and "30 days" in html
    assert "180 days" not in html


def test_beat_runs_every_apps_retention_rules_once_a_day(ended_session):
    schedule = celery_app.conf.beat_schedule
    tasks = [entry["task"] for entry in schedule.values()]
    assert "portal.tasks.apply_retention" in tasks
    assert "mailing.tasks.purge_unconfirmed_subscriptions" not in tasks

    from portal.tasks import apply_retention

    RegistrationFactory(session=ended_session)
    with time_machine.travel(START + timedelta(days=200), tick=False):
        result = apply_retention.delay().get()
    assert result["registrations_anonymised"] == 1
    # Every app's rules ran, discovered from their personal_data modules.
    assert {"registrations_anonymised", "outbox_purged", "subscriptions_deleted", "consent_records_deleted",
            "applications_deleted"} <= set(result)
