"""Requests to use a resource in the site's personal-data export, erasure and retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from infrastructure.models import UseRequest
from portal import privacy
from tests.infrastructure.factories import ResourceFactory, UseRequestFactory

pytestmark = pytest.mark.django_db
ADDRESS = "maja.kovac@example.org"


def test_export_lists_the_requests_by_address():
    resource = ResourceFactory(title_en="Pond kit")
    UseRequestFactory(resource=resource, email=ADDRESS, name="Maja Kovač", organisation="Lab", internal_note="Nice")
    UseRequestFactory(email="someone.else@example.org")
    rows = privacy.export_personal_data(email=ADDRESS.upper())["infrastructure_requests"]
    assert [(r["name"], r["email"], r["resource"], r["organisation"], r["internal_note"]) for r in rows] == [
        ("Maja Kovač", ADDRESS, "Pond kit", "Lab", "Nice")
    ]


def test_erase_anonymises_the_requests_and_leaves_no_trace_of_the_address():
    request = UseRequestFactory(email=ADDRESS, name="Maja Kovač", organisation="Lab", internal_note="Called Maja")
    other = UseRequestFactory(email="someone.else@example.org")
    result = privacy.erase_personal_data(email=ADDRESS)
    request.refresh_from_db()
    assert (request.name, request.organisation, request.message, request.internal_note) == ("", "", "", "")
    assert request.email == f"anonymised-{request.pk}@invalid"
    assert result.counts["infrastructure requests anonymised"] == 1
    assert not [hit for hit in result.remaining if hit.startswith("infrastructure.")]
    other.refresh_from_db()
    assert other.name == "Ana Novak"


def test_retention_anonymises_requests_dealt_with_long_ago(settings):
    settings.RETENTION_REGISTRATION_DAYS = 180
    now = timezone.now()
    old = now - timedelta(days=181)
    closed = UseRequestFactory(status=UseRequest.Status.CLOSED, status_changed_at=old)
    answered = UseRequestFactory(status=UseRequest.Status.ANSWERED, status_changed_at=old)
    recent = UseRequestFactory(status=UseRequest.Status.CLOSED, status_changed_at=now - timedelta(days=10))
    waiting = UseRequestFactory(status=UseRequest.Status.NEW, status_changed_at=old)
    result = privacy.apply_retention(now=now)
    assert result["infrastructure_requests_anonymised"] == 2
    names = {r.pk: r.name for r in UseRequest.objects.all()}
    assert (names[closed.pk], names[answered.pk]) == ("", "")
    assert (names[recent.pk], names[waiting.pk]) == ("Ana Novak", "Ana Novak")
    assert privacy.apply_retention(now=now)["infrastructure_requests_anonymised"] == 0
