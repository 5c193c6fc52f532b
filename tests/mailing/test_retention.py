"""Retention of sign-ups never confirmed: the subscription and its consent records are deleted
after ``RETENTION_UNCONFIRMED_DAYS`` (``mailing.personal_data``); confirmed ones stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from mailing.models import ConsentRecord, Subscription
from mailing.personal_data import Subscribers
from tests.mailing.factories import MailingListFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db
START = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def delete_unconfirmed_subscriptions() -> tuple[int, int]:
    result = Subscribers().apply_retention(now=timezone.now())
    return result["subscriptions_deleted"], result["consent_records_deleted"]


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
        assert delete_unconfirmed_subscriptions() == (0, 0)
    with time_machine.travel(START + timedelta(days=8), tick=False):
        assert delete_unconfirmed_subscriptions() == (1, 1)
    assert not Subscription.objects.filter(pk=pending.pk).exists()
    assert Subscription.objects.filter(pk=active.pk).exists()
    assert list(ConsentRecord.objects.values_list("email", flat=True)) == ["active@example.org"]


def test_subscriptions_that_ended_are_forgotten_with_their_consent_after_7_days():
    news = MailingListFactory()
    with time_machine.travel(START, tick=False):
        left = SubscriptionFactory(mailing_list=news, email="left@example.org", status=Subscription.Status.UNSUBSCRIBED,
                                   unsubscribed_at=timezone.now())
        ConsentRecord.objects.create(email="left@example.org", mailing_list=news, consent_text="Yes",
                                     consent_version="1", source="test")
        rejected = SubscriptionFactory(mailing_list=news, email="no@example.org", status=Subscription.Status.REJECTED,
                                       decided_at=timezone.now())
    with time_machine.travel(START + timedelta(days=6), tick=False):
        assert delete_unconfirmed_subscriptions() == (0, 0)
    with time_machine.travel(START + timedelta(days=8), tick=False):
        assert delete_unconfirmed_subscriptions() == (2, 1)
    assert not Subscription.objects.filter(pk__in=[left.pk, rejected.pk]).exists()
    assert not ConsentRecord.objects.exists()
