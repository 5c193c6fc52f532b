"""Retention of rejected applications to join: deleted ``RETENTION_UNCONFIRMED_DAYS`` after the
rejection (``network.personal_data``); archived former members and pending applications stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone

from network.models import Partner
from network.personal_data import NetworkContacts
from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db
START = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def delete_rejected_applications() -> int:
    return NetworkContacts().apply_retention(now=timezone.now())["applications_deleted"]


def test_rejected_applications_are_deleted_after_7_days():
    with time_machine.travel(START, tick=False):
        rejected = PartnerFactory(status=Partner.Status.ARCHIVED, rejection_reason="Not a library")
        archived_member = PartnerFactory(status=Partner.Status.ARCHIVED, date_joined=START.date())
        pending = PartnerFactory(status=Partner.Status.PENDING)
    with time_machine.travel(START + timedelta(days=6), tick=False):
        assert delete_rejected_applications() == 0
    with time_machine.travel(START + timedelta(days=8), tick=False):
        assert delete_rejected_applications() == 1
    assert not Partner.objects.filter(pk=rejected.pk).exists()
    assert Partner.objects.filter(pk__in=[archived_member.pk, pending.pk]).count() == 2


def test_the_logo_of_a_deleted_application_leaves_storage_once_it_commits(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(START, tick=False):
        rejected = PartnerFactory(status=Partner.Status.ARCHIVED, rejection_reason="Not a library")
        rejected.logo.save("rejected.png", ContentFile(b"\x89PNG logo"), save=True)
    storage, name = rejected.logo.storage, rejected.logo.name
    with time_machine.travel(START + timedelta(days=8), tick=False):
        with django_capture_on_commit_callbacks() as after_commit:
            assert delete_rejected_applications() == 1
    assert storage.exists(name), "the file outlives the row until the commit"
    for callback in after_commit:
        callback()
    assert not storage.exists(name), "the deleted application's logo is still in storage"
