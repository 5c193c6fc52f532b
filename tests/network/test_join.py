import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from network.models import Partner
from outbox.models import OutgoingEmail

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
    assert response.status_code == 302
    assert response["Location"] == reverse("network:join_thanks")
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


# --- Post/redirect/get and double submits ------------------------------------------------------


def test_thanks_page(client):
    response = client.get(reverse("network:join_thanks"))
    assert response.status_code == 200
    assert response.content.decode().count("<h1>") == 1
    assert "Application received" in response.content.decode()


def test_a_double_submit_makes_one_application_and_one_set_of_emails(client, settings):
    settings.NETWORK_COORDINATOR_EMAILS = ["office@example.org"]
    first = client.post(reverse("network:join"), VALID)
    emails = OutgoingEmail.objects.count()
    second = client.post(reverse("network:join"), {**VALID, "email": "ANA@example.org", "name": " riverside   LIBRARY "})
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("network:join_thanks")
    assert Partner.objects.count() == 1
    assert emails == 2
    assert OutgoingEmail.objects.count() == emails


def test_a_different_name_or_address_is_a_new_application(client):
    client.post(reverse("network:join"), VALID)
    client.post(reverse("network:join"), {**VALID, "name": "Hillside Library"})
    client.post(reverse("network:join"), {**VALID, "email": "bor@example.org"})
    assert Partner.objects.count() == 3


def test_a_decided_application_does_not_swallow_a_new_one(client):
    from network import services

    client.post(reverse("network:join"), VALID)
    services.reject_application(partner=Partner.objects.get(), reason="Incomplete")
    client.post(reverse("network:join"), VALID)
    assert Partner.objects.filter(status=Partner.Status.PENDING).count() == 1
    assert Partner.objects.count() == 2


# --- What is public ---------------------------------------------------------------------------


def test_the_form_says_what_is_public_and_what_stays_private(client):
    body = client.get(reverse("network:join")).content.decode()
    assert "What will be public" in body
    assert "description, website and city are published" in body
    assert "contact person, email and phone you give here stay private" in body


def test_the_applicants_contact_is_stored_privately(client):
    client.post(reverse("network:join"), {**VALID, "phone": "+386 1 234 5678"})
    partner = Partner.objects.get()
    assert (partner.email, partner.phone) == ("", "")
    assert (partner.application_email, partner.application_phone) == ("ana@example.org", "+386 1 234 5678")
    assert partner.contact_name == "Ana Novak"


# --- Lengths ----------------------------------------------------------------------------------


@pytest.mark.parametrize("field, value", [
    ("website", "https://example.org/" + "a" * 2028),
    ("email", "a" * 60 + "@" + ("b" * 60 + ".") * 4 + "org"),  # valid, but 308 characters
])
def test_an_over_long_value_is_a_form_error_not_a_500(client, field, value):
    response = client.post(reverse("network:join"), {**VALID, field: value})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Partner.objects.exists()


def test_plus_tagged_applications_do_not_lock_the_plain_address_out(client, settings):
    """The per-address limit counts the address as typed: five accepted applications with
    ana+1@ … ana+5@ (from five client addresses) leave ana@ its own allowance."""
    settings.RATELIMIT_ENABLED = True
    for n in range(1, 6):
        data = {**VALID, "name": f"Library {n}", "email": f"ana+{n}@example.org"}
        assert client.post(reverse("network:join"), data, REMOTE_ADDR=f"198.51.100.{n}").status_code == 302
    assert client.post(reverse("network:join"), VALID, REMOTE_ADDR="192.0.2.10").status_code == 302
    assert Partner.objects.count() == 6
