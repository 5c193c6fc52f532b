"""``infrastructure.services``: the request's status, and the rules the form cannot bypass."""

from __future__ import annotations

from datetime import date

import pytest

from infrastructure import services
from infrastructure.models import UseRequest
from outbox.models import OutgoingEmail
from tests.infrastructure.factories import ResourceFactory, UseRequestFactory

pytestmark = pytest.mark.django_db


def test_set_status_records_when_and_who(network_coordinator):
    request = UseRequestFactory()
    before = request.status_changed_at
    services.set_status(request=request, status=UseRequest.Status.ANSWERED, actor=network_coordinator)
    request.refresh_from_db()
    assert request.status == "answered" and request.status_changed_by == network_coordinator
    assert request.status_changed_at > before
    again = request.status_changed_at
    services.set_status(request=request, status=UseRequest.Status.ANSWERED, actor=None)
    request.refresh_from_db()
    assert request.status_changed_at == again and request.status_changed_by == network_coordinator


def test_set_status_refuses_an_unknown_status():
    request = UseRequestFactory()
    with pytest.raises(ValueError):
        services.set_status(request=request, status="lost", actor=None)


def test_request_use_refuses_dates_out_of_order_and_sends_nothing():
    with pytest.raises(ValueError):
        services.request_use(
            resource=ResourceFactory(), name="Ana", email="ana@example.org", message="Hi",
            wanted_from=date(2030, 5, 4), wanted_to=date(2030, 5, 1), language="en", consent_text="I agree.",
        )
    assert not UseRequest.objects.exists() and not OutgoingEmail.objects.exists()


def test_each_address_gets_one_message(settings, partner_a, coordinator_a):
    settings.NETWORK_COORDINATOR_EMAILS = [coordinator_a.email.upper(), "office@network.example"]
    services.request_use(
        resource=ResourceFactory(partner=partner_a), name="Ana", email="ana@example.org", message="Hi",
        language="en", consent_text="I agree.",
    )
    assert sorted(OutgoingEmail.objects.values_list("to", flat=True)) == sorted(
        [coordinator_a.email, "office@network.example", "ana@example.org"]
    )


def test_an_inactive_coordinator_is_not_written_to(settings, partner_a, coordinator_a):
    settings.NETWORK_COORDINATOR_EMAILS = []
    coordinator_a.is_active = False
    coordinator_a.save()
    services.request_use(
        resource=ResourceFactory(partner=partner_a), name="Ana", email="ana@example.org", message="Hi",
        language="en", consent_text="I agree.",
    )
    assert sorted(OutgoingEmail.objects.values_list("to", flat=True)) == ["alpha@example.org", "ana@example.org"]


def test_a_double_submit_is_stored_and_sent_once(partner_a, coordinator_a):
    resource = ResourceFactory(partner=partner_a)
    data = dict(resource=resource, name="Ana", email="ana@example.org", message="Hi", language="en",
                consent_text="I agree.")
    first = services.request_use(**data)
    assert services.request_use(**{**data, "email": "ANA@example.org "}) == first
    assert UseRequest.objects.count() == 1
    assert OutgoingEmail.objects.filter(to="ana@example.org").count() == 1
    services.request_use(**{**data, "message": "Another question"})
    assert UseRequest.objects.count() == 2


TYPED = {
    "name": "Mallory Spoofer",
    "organisation": "Totally Real Bank",
    "message": "Your account is locked: call +386 1 555 0100 at once.",
}


@pytest.mark.parametrize("language", ["en", "sl"])
def test_the_acknowledgement_repeats_nothing_typed(settings, partner_a, coordinator_a, language):
    """It goes to whatever address was typed: fixed text and the records' names only, so no one
    can send words of their own to someone else's address; the coordinators still get it all."""
    settings.NETWORK_COORDINATOR_EMAILS = ["office@network.example"]
    resource = ResourceFactory(partner=partner_a, title_en="Pond kit", title_sl="Komplet za mlako", slug="pond-kit")
    services.request_use(
        resource=resource, email="victim@example.org", wanted_from=date(2031, 3, 17), wanted_to=date(2031, 3, 19),
        language=language, consent_text="I agree.", **TYPED,
    )
    ack = OutgoingEmail.objects.get(to="victim@example.org")
    for part in (ack.subject, ack.body_text, ack.body_html):
        for typed in (*TYPED.values(), "Mallory", "555 0100", "2031"):
            assert typed not in part
    title = "Pond kit" if language == "en" else "Komplet za mlako"
    assert title in ack.subject and title in ack.body_text and title in ack.body_html
    assert partner_a.name in ack.body_text and partner_a.name in ack.body_html
    path = {"en": "/infrastructure/pond-kit/", "sl": "/sl/infrastructure/pond-kit/"}[language]
    assert path in ack.body_text and path in ack.body_html
    greeting = {"en": "Hello,", "sl": "Pozdravljeni,"}[language]
    assert ack.body_text.startswith(greeting) and greeting in ack.body_html
    for address in (coordinator_a.email, "office@network.example"):
        mail = OutgoingEmail.objects.get(to=address)
        for typed in TYPED.values():
            assert typed in mail.body_text and typed in mail.body_html
        assert "victim@example.org" in mail.body_text and mail.reply_to == "victim@example.org"
