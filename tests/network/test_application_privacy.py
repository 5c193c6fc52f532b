"""An applicant's contact (from /join/) stays private: not on the partner page, the API, the CSV
or the JSON-LD once approved; the emails about the application go to the private address."""

import pytest
from django.urls import reverse

from network import services
from network.models import Partner
from outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db

PRIVATE_EMAIL = "ana.private@example.org"
PRIVATE_PHONE = "+386 40 111 222"


def apply(**extra) -> Partner:
    data = dict(
        name="Riverside Library", kind="organisation", partner_type="public_library", roles=["organiser"],
        description="We lend microscopes.", contact_name="Ana Novak", email=PRIVATE_EMAIL, phone=PRIVATE_PHONE,
        website="https://riverside.example.org", city="Kranj",
    )
    return services.submit_application(**{**data, **extra})


def test_approved_application_publishes_no_private_contact(client):
    partner = services.approve_application(partner=apply())
    assert partner.status == Partner.Status.PUBLISHED
    pages = [
        client.get(partner.get_absolute_url()),
        client.get(reverse("network:api_partners")),
        client.get(reverse("network:partners_csv")),
    ]
    for response in pages:
        body = response.content.decode()
        assert response.status_code == 200
        assert "Riverside Library" in body
        for private in (PRIVATE_EMAIL, PRIVATE_PHONE, "Ana Novak"):
            assert private not in body
    detail = pages[0].content.decode()
    assert "riverside.example.org" in detail and "Kranj" in detail  # the public details are public


def test_emails_about_the_application_go_to_the_private_address(settings):
    settings.NETWORK_COORDINATOR_EMAILS = ["office@example.org"]
    approved = apply()
    services.approve_application(partner=approved)
    rejected = apply(name="Hillside Library")
    services.reject_application(partner=rejected, reason="Outside Slovenia")
    to_applicant = set(OutgoingEmail.objects.filter(to=PRIVATE_EMAIL).values_list("purpose", flat=True))
    assert to_applicant == {
        "network/application_confirmation", "network/application_approved", "network/application_rejected",
    }
    received = OutgoingEmail.objects.filter(purpose="network/application_received").first()
    assert PRIVATE_EMAIL in received.body_text and PRIVATE_PHONE in received.body_text
    assert received.reply_to == PRIVATE_EMAIL


def test_public_contact_filled_in_later_is_shown(client):
    partner = services.approve_application(partner=apply())
    partner.email = "info@riverside.example.org"
    partner.save()
    assert "info@riverside.example.org" in client.get(partner.get_absolute_url()).content.decode()


def test_one_pending_application_per_address_and_name_in_the_database():
    from django.db import IntegrityError, transaction

    apply()
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(
            name="RIVERSIDE LIBRARY", slug="other", status=Partner.Status.PENDING, application_email=PRIVATE_EMAIL.upper()
        )


def test_a_submit_losing_the_race_returns_the_winners_application(monkeypatch):
    """Two submits at the same moment: both see no pending application, the constraint stops
    the second insert, which then returns the first one (and queues nothing)."""
    first = apply()
    emails = OutgoingEmail.objects.count()
    real = services._pending_application
    calls = []

    def not_yet(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(services, "_pending_application", not_yet)
    assert apply().pk == first.pk
    assert len(calls) == 2
    assert Partner.objects.count() == 1
    assert OutgoingEmail.objects.count() == emails
