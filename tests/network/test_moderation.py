import pytest

from network import services
from network.models import Partner
from outbox.models import OutgoingEmail
from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_approve_publishes_and_emails():
    partner = PartnerFactory(status=Partner.Status.PENDING, email="app@example.org")
    services.approve_application(partner=partner)
    partner.refresh_from_db()
    assert partner.status == Partner.Status.PUBLISHED and partner.date_joined
    assert OutgoingEmail.objects.filter(to="app@example.org", purpose="network/application_approved").exists()


def test_reject_requires_reason_and_emails_it(mailoutbox, django_capture_on_commit_callbacks):
    partner = PartnerFactory(status=Partner.Status.PENDING, email="app@example.org")
    with pytest.raises(ValueError):
        services.reject_application(partner=partner, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_application(partner=partner, reason="Outside Slovenia")
    partner.refresh_from_db()
    assert partner.status == Partner.Status.ARCHIVED
    assert "Outside Slovenia" in mailoutbox[0].body


def test_admin_reject_action(client, network_coordinator, mailoutbox, django_capture_on_commit_callbacks):
    partner = PartnerFactory(status=Partner.Status.PENDING, email="app@example.org")
    client.force_login(network_coordinator)
    url = "/admin/network/partner/"
    response = client.post(url, {"action": "reject_applications", "_selected_action": [partner.pk]})
    assert response.status_code == 200 and b"reason" in response.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "reject_applications", "_selected_action": [partner.pk], "reason": "Not a fit"})
    partner.refresh_from_db()
    assert partner.status == Partner.Status.ARCHIVED
    assert any("Not a fit" in m.body for m in mailoutbox)
