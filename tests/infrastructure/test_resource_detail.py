"""``/infrastructure/<slug>/``: a resource's page, and the "request to use" form on it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from infrastructure.forms import CONSENT_TEXT
from infrastructure.models import UseRequest
from network.models import Partner
from outbox.models import OutgoingEmail
from tests.hung_redis import closed_port_url
from tests.infrastructure.factories import ResourceFactory
from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + timedelta(days=1)
VALID = {
    "name": "Ana Novak",
    "email": "Ana.Novak@Example.org",
    "organisation": "Osnovna šola Kranj",
    "wanted_from": TOMORROW.isoformat(),
    "wanted_to": (TOMORROW + timedelta(days=4)).isoformat(),
    "message": "For our pond-life project.",
    "consent": "on",
}


@pytest.fixture
def resource(partner_a):
    partner_a.city, partner_a.region = "Kranj", "Gorenjska"
    partner_a.save()
    return ResourceFactory(
        partner=partner_a, slug="pond-kit", title_en="Pond kit", title_sl="Komplet za mlako",
        fee_note_en="", lead_time_days=3, who_may_use_en="Schools", booking_notes_en="Ring *first*.",
    )


def url(resource, prefix: str = "") -> str:
    return f"{prefix}/infrastructure/{resource.slug}/"


def test_shows_every_condition_and_links_the_partner(client, resource):
    body = client.get(url(resource)).content.decode()
    assert body.count("<h1") == 1 and ">Pond kit</h1>" in body
    for shown in ("Free of charge", "Schools", "Ask at least 3 days ahead.", "Kranj, Gorenjska", "<em>first</em>"):
        assert shown in body
    assert f'href="{resource.partner.get_absolute_url()}"' in body
    assert 'name="website_url"' in body  # the honeypot


@pytest.mark.parametrize(
    "change",
    [{"published": False}, {"partner_status": Partner.Status.PENDING}, {"partner_status": Partner.Status.ARCHIVED}],
    ids=["unpublished", "pending partner", "archived partner"],
)
def test_what_is_not_public_is_not_found(client, resource, change):
    if "published" in change:
        resource.published = False
        resource.save()
    else:
        Partner.objects.filter(pk=resource.partner_id).update(status=change["partner_status"])
    assert client.get(url(resource)).status_code == 404
    assert client.post(url(resource), VALID).status_code == 404
    assert client.get(url(resource) + "request-sent/").status_code == 404
    assert not UseRequest.objects.exists()


def test_the_result_page_is_only_for_who_sent_a_request(client, resource):
    assert client.get(url(resource) + "request-sent/")["Location"] == url(resource)
    client.post(url(resource), VALID)
    assert client.get(url(resource) + "request-sent/").status_code == 200
    other = ResourceFactory(partner=resource.partner)
    assert client.get(url(other) + "request-sent/").status_code == 302


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"email": "ana@"}, "email", "Enter a valid email address."),
        ({"message": ""}, "message", "This field is required."),
        ({"consent": ""}, "consent", "This field is required."),
        ({"wanted_from": (TOMORROW + timedelta(days=5)).isoformat(), "wanted_to": TOMORROW.isoformat()},
         "wanted_to", "The last day cannot be before the first day."),
        ({"wanted_from": "2020-01-01", "wanted_to": ""}, "wanted_from", "This date has passed."),
        ({"wanted_from": "4 May"}, "wanted_from", "Enter a valid date."),
        ({"name": "Ana\x00"}, "name", "Null characters are not allowed."),
        ({"message": "x" * 5001}, "message", "at most 5000 characters"),
        ({"website_url": "http://spam.example"}, "website_url", "This form could not be sent."),
    ],
    ids=["no name", "bad email", "no message", "no consent", "to before from", "past", "bad date", "nul",
         "too long", "honeypot"],
)
def test_bad_input_is_explained_at_its_field_and_stores_nothing(client, resource, changes, field, message):
    response = client.post(url(resource), {**VALID, **changes})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    body = response.content.decode()
    assert 'class="error-summary"' in body and 'aria-invalid="true"' in body
    assert not UseRequest.objects.exists() and not OutgoingEmail.objects.exists()


def test_a_request_reaches_the_partner_and_the_network_coordinator(client, settings, resource, coordinator_a,
                                                                   coordinator_b, partner_b, network_coordinator):
    settings.NETWORK_COORDINATOR_EMAILS = ["office@network.example"]
    response = client.post(url(resource, "/sl"), VALID)
    assert response.status_code == 302 and response["Location"] == "/sl/infrastructure/pond-kit/request-sent/"
    request = UseRequest.objects.get()
    assert (request.resource, request.name, request.email, request.language) == (
        resource, "Ana Novak", "ana.novak@example.org", "sl",
    )
    with translation.override("sl"):  # the consent as the requester read it
        assert request.status == UseRequest.Status.NEW and request.consent_text == str(CONSENT_TEXT)
    assert request.wanted_to - request.wanted_from == timedelta(days=4)
    mails = {m.to: m for m in OutgoingEmail.objects.all()}
    assert set(mails) == {
        coordinator_a.email, "office@network.example", network_coordinator.email, "ana.novak@example.org",
    }  # not the other partner's coordinator
    for address in (coordinator_a.email, "office@network.example", network_coordinator.email):
        mail = mails[address]
        assert (mail.language, mail.reply_to) == ("en", "ana.novak@example.org")
        assert mail.purpose == "infrastructure/use_request"
        assert "Ana Novak (ana.novak@example.org) asks to use Pond kit." in mail.body_text
        assert f"/admin/infrastructure/userequest/{request.pk}/change/" in mail.body_text
        assert "Osnovna šola Kranj" in mail.body_html
    ack = mails["ana.novak@example.org"]
    assert (ack.language, ack.purpose, ack.reply_to) == ("sl", "infrastructure/use_request_received", "")
    assert "Komplet za mlako" in ack.subject and "Alpha Library" in ack.body_text
    assert "/sl/infrastructure/pond-kit/" in ack.body_text
    thanks = client.get(response["Location"]).content.decode()
    assert thanks.count("<h1") == 1 and "Alpha Library" in thanks


def test_without_coordinators_the_partner_address_is_used_and_the_thanks_say_who(client, settings):
    settings.NETWORK_COORDINATOR_EMAILS = ["office@network.example"]
    resource = ResourceFactory(partner=PartnerFactory(name="Gamma", email="info@gamma.example"))
    client.post(url(resource), VALID)
    assert set(OutgoingEmail.objects.values_list("to", flat=True)) == {
        "info@gamma.example", "office@network.example", "ana.novak@example.org",
    }
    thanks = client.get(url(resource) + "request-sent/").content.decode()
    assert "sent to the coordinators of Gamma and to the network coordinator" in thanks

    nobody = ResourceFactory(partner=PartnerFactory(name="Delta", email=""))
    client.post(url(nobody), VALID)
    assert not OutgoingEmail.objects.filter(to="").exists()
    thanks = client.get(url(nobody) + "request-sent/").content.decode()
    assert "sent to the network coordinator, who will pass it on to Delta" in thanks
    ack = OutgoingEmail.objects.filter(to="ana.novak@example.org").latest("pk")
    assert "who will pass it on to Delta" in ack.body_text


def test_no_personal_data_on_public_pages(client, resource):
    client.post(url(resource), {**VALID, "message": "Secret plan 42"})
    assert UseRequest.objects.count() == 1
    for path in (url(resource), url(resource) + "request-sent/", "/infrastructure/", url(resource, "/sl")):
        body = client.get(path).content.decode().lower()
        for private in ("ana novak", "ana.novak@example.org", "secret plan 42", "osnovna šola kranj"):
            assert private not in body, (path, private)


def test_requests_are_rate_limited_per_address(client, settings, resource):
    settings.RATELIMIT_ENABLED = True
    for n in range(5):
        data = {**VALID, "message": f"Question {n}"}
        assert client.post(url(resource), data, REMOTE_ADDR=f"198.51.100.{n}").status_code == 302
    response = client.post(url(resource), VALID, REMOTE_ADDR="198.51.100.99")
    assert response.status_code == 429 and "Retry-After" in response
    assert UseRequest.objects.count() == 5


def test_requests_are_rate_limited_per_client_while_redis_is_down(client, settings, resource):
    """The limits are counted in the database (``core.ratelimit``): a Redis that refuses every
    connection changes nothing."""
    settings.RATELIMIT_ENABLED = True
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": closed_port_url(),
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        },
    }
    for n in range(30):
        data = {**VALID, "email": f"person{n}@example.org"} if n % 2 else {**VALID, "name": ""}
        assert client.post(url(resource), data).status_code in (200, 302)
    assert client.post(url(resource), {**VALID, "email": "late@example.org"}).status_code == 429
    assert UseRequest.objects.count() == 15
