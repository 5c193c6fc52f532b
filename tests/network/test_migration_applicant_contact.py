"""Migration 0002's data step moves the applicant's contact of pending applications out of the
public fields and archives duplicate pending applications, so that the new constraint holds.
(The schema steps run whenever the test database is created.)"""

from importlib import import_module

import pytest
from django.apps import apps

from network.models import Partner

pytestmark = pytest.mark.django_db
migration = import_module("network.migrations.0002_partner_application_contact")


def test_pending_applications_move_to_private_fields():
    common = dict(kind="organisation", status="pending", contact_name="Ana Novak", phone="01 234")
    first = Partner.objects.create(name="Riverside Library", slug="a", email="ana@example.org", **common)
    double = Partner.objects.create(name="RIVERSIDE LIBRARY", slug="b", email="Ana@example.org", **common)
    published = Partner.objects.create(name="Hill Library", slug="c", email="hill@example.org",
                                       **{**common, "status": "published"})
    imported = Partner.objects.create(name="Seeded", slug="d", email="seed@example.org", source_key="partner:seeded",
                                      kind="organisation", status="pending")
    migration.move_applicant_contact(apps, None)
    for partner in (first, double, published, imported):
        partner.refresh_from_db()
    assert (first.email, first.phone, first.application_email, first.application_phone) == (
        "", "", "ana@example.org", "01 234")
    assert first.status == "pending"
    assert double.status == "archived" and double.needs_review and f"#{first.pk}" in double.review_reason
    assert double.application_email == "Ana@example.org" and double.email == ""
    assert published.email == published.application_email == "hill@example.org"
    assert imported.email == "seed@example.org" and imported.application_email == ""
