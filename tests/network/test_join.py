import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from network.models import Partner
from portal.models import OutgoingEmail

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Riverside Library",
    "kind": "organisation",
    "partner_type": "public_library",
    "roles": ["organiser"],
    "description": "We lend microscopes.",
    "contact_name": "Ana Novak",
    "email": "ana@example.org",
}


def test_join_shows_a_form(client):
    response = client.get(reverse("network:join"))
    assert response.status_code == 200
    assert '<form class="stacked"' in response.content.decode()
    assert 'name="website_url"' in response.content.decode()


def test_application_creates_pending_partner_and_emails(client, settings, network_coordinator, mailoutbox, django_capture_on_commit_callbacks):
    settings.NETWORK_COORDINATOR_EMAILS = ["office@example.org"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("network:join"), VALID)
    assert response.status_code == 200
    partner = Partner.objects.get(name="Riverside Library")
    assert partner.status == Partner.Status.PENDING
    recipients = set(OutgoingEmail.objects.values_list("to", flat=True))
    assert recipients == {"office@example.org", network_coordinator.email, "ana@example.org"}
    assert {m.to[0] for m in mailoutbox} == recipients
    # not visible publicly while pending
    assert "Riverside Library" not in client.get(reverse("network:partner_list")).content.decode()


def test_honeypot_stores_nothing(client):
    response = client.post(reverse("network:join"), {**VALID, "website_url": "http://spam"})
    assert response.status_code == 200
    assert not Partner.objects.exists()


def test_individual_gets_individual_type(client):
    client.post(reverse("network:join"), {**VALID, "kind": "individual", "name": "Dr Ana Novak"})
    assert Partner.objects.get().partner_type == Partner.Type.INDIVIDUAL


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.fixed_dictionaries(
        {},
        optional={k: st.text(max_size=40) for k in ("name", "kind", "partner_type", "description", "contact_name", "email", "website", "roles")},
    )
)
def test_garbage_never_500_and_stores_nothing(client, settings, data):
    settings.RATELIMIT_ENABLED = False
    response = client.post(reverse("network:join"), data)
    assert response.status_code == 200
    assert not Partner.objects.exists()
    assert not OutgoingEmail.objects.exists()
