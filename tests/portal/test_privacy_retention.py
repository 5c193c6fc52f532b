"""Retention: registrations anonymised N days after their session, outbox bodies purged, unconfirmed
subscriptions and rejected applications deleted after 7 days; all from settings, run by beat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from events.models import Registration
from mailing.models import ConsentRecord, Subscription
from network.models import Partner
from outbox.models import OutgoingEmail
from outbox.services import queue_email
from portal import privacy
from portal.celery import app as celery_app
from tests.events.factories import RegistrationFactory, SessionFactory
from tests.mailing.factories import MailingListFactory, SubscriptionFactory
from tests.network.factories import PartnerFactory

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


def test_registration_is_anonymised_after_the_retention_period(ended_session):
    registration = RegistrationFactory(session=ended_session, name="Ana Novak", email="ana@example.org",
                                       affiliation="NUK", role="Librarian")
    with time_machine.travel(START + timedelta(days=179), tick=False):
        assert privacy.anonymise_old_registrations() == 0
    registration.refresh_from_db()
    assert registration.email == "ana@example.org"
    with time_machine.travel(START + timedelta(days=181), tick=False):
        assert privacy.anonymise_old_registrations() == 1
        assert privacy.anonymise_old_registrations() == 0  # idempotent
    registration.refresh_from_db()
    assert (registration.name, registration.affiliation, registration.role) == ("", "", "")
    assert registration.email == f"anonymised-{registration.pk}@invalid"
    assert registration.status == Registration.Status.CONFIRMED  # the row and the counts stay
    assert Registration.objects.filter(session=ended_session).confirmed().count() == 1


def test_registration_days_come_from_settings(settings, ended_session):
    settings.RETENTION_REGISTRATION_DAYS = 10
    registration = RegistrationFactory(session=ended_session)
    with time_machine.travel(START + timedelta(days=11), tick=False):
        assert privacy.anonymise_old_registrations() == 1
    registration.refresh_from_db()
    assert registration.email.endswith("@invalid")


def test_upcoming_sessions_registrations_are_kept():
    registration = RegistrationFactory(email="future@example.org")
    assert privacy.anonymise_old_registrations() == 0
    registration.refresh_from_db()
    assert registration.email == "future@example.org"


def _sent_message(to: str) -> OutgoingEmail:
    email = queue_email(to=to, subject="Hello", body_text=f"Dear {to}", body_html="<p>Hi</p>", reply_to=to,
                        headers={"List-Unsubscribe": "<https://x/unsub>"})
    OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingEmail.Status.SENT, sent_at=timezone.now())
    return email


def test_outbox_bodies_and_addresses_are_purged_after_90_days():
    with time_machine.travel(START, tick=False):
        old = _sent_message("old@example.org")
        old_queued = queue_email(to="stuck@example.org", subject="Stuck", body_text="Body")
    with time_machine.travel(START + timedelta(days=60), tick=False):
        recent = _sent_message("recent@example.org")
    with time_machine.travel(START + timedelta(days=91), tick=False):
        assert privacy.purge_old_outbox() == 1
        assert privacy.purge_old_outbox() == 0
    old.refresh_from_db()
    assert (old.to, old.reply_to, old.body_text, old.body_html) == ("", "", "", "")
    assert old.headers == {} and old.attachments == []
    assert old.subject == "Hello" and old.status == OutgoingEmail.Status.SENT  # the delivery record stays
    recent.refresh_from_db()
    assert recent.body_text == "Dear recent@example.org"
    old_queued.refresh_from_db()
    assert old_queued.body_text == "Body"  # never empties a message that may still go out


def test_unconfirmed_subscriptions_and_their_consent_are_deleted_after_7_days():
    news = MailingListFactory()
    with time_machine.travel(START, tick=False):
        pending = SubscriptionFactory(mailing_list=news, email="pending@example.org",
                                      status=Subscription.Status.PENDING, requested_at=timezone.now())
        ConsentRecord.objects.create(email="pending@example.org", mailing_list=news, consent_text="Yes",
                                     consent_version="1", source="test")
        active = SubscriptionFactory(mailing_list=news, email="active@example.org", confirmed_at=timezone.now())
        ConsentRecord.objects.create(email="active@example.org", mailing_list=news, consent_text="Yes",
                                     consent_version="1", source="test")
    with time_machine.travel(START + timedelta(days=6), tick=False):
        assert privacy.delete_unconfirmed_subscriptions() == (0, 0)
    with time_machine.travel(START + timedelta(days=8), tick=False):
        assert privacy.delete_unconfirmed_subscriptions() == (1, 1)
    assert not Subscription.objects.filter(pk=pending.pk).exists()
    assert Subscription.objects.filter(pk=active.pk).exists()
    assert list(ConsentRecord.objects.values_list("email", flat=True)) == ["active@example.org"]


def test_rejected_applications_are_deleted_after_7_days():
    with time_machine.travel(START, tick=False):
        rejected = PartnerFactory(status=Partner.Status.ARCHIVED, rejection_reason="Not a library")
        archived_member = PartnerFactory(status=Partner.Status.ARCHIVED, date_joined=START.date())
        pending = PartnerFactory(status=Partner.Status.PENDING)
    with time_machine.travel(START + timedelta(days=6), tick=False):
        assert privacy.delete_rejected_applications() == 0
    with time_machine.travel(START + timedelta(days=8), tick=False):
        assert privacy.delete_rejected_applications() == 1
    assert not Partner.objects.filter(pk=rejected.pk).exists()
    assert Partner.objects.filter(pk__in=[archived_member.pk, pending.pk]).count() == 2


def test_beat_runs_the_retention_task_and_not_the_old_30_day_purge(ended_session):
    schedule = celery_app.conf.beat_schedule
    tasks = [entry["task"] for entry in schedule.values()]
    assert "portal.tasks.apply_retention" in tasks
    assert "mailing.tasks.purge_unconfirmed_subscriptions" not in tasks

    from portal.tasks import apply_retention

    RegistrationFactory(session=ended_session)
    with time_machine.travel(START + timedelta(days=200), tick=False):
        result = apply_retention.delay().get()
    assert result["registrations_anonymised"] == 1
