"""Requests to join a working group and for a service module: besides the message to the group or
the institutions, the requester gets an acknowledgement in the language of the page they wrote
from, which says where the request went and carries none of the text they typed."""

from __future__ import annotations

import pytest
from django.utils import translation

from network import services
from network.models import Partner
from outbox.models import OutgoingEmail
from tests.network.factories import PartnerFactory, ServiceModuleFactory, ServiceOfferFactory, WorkingGroupFactory
from tests.outbox.test_email_language import delivered, html_part

pytestmark = pytest.mark.django_db

SPAM = "Buy cheap pills at spam.example"


def acknowledgements(purpose: str):
    return OutgoingEmail.objects.filter(purpose=purpose)


@pytest.mark.parametrize("prefix,language", [("", "en"), ("/sl", "sl")])
def test_joining_a_working_group_is_acknowledged_in_the_page_language(client, prefix, language, mailoutbox,
                                                                      django_capture_on_commit_callbacks):
    group = WorkingGroupFactory(name_en="Handbook", name_sl="Priročnik", contact_email="group@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(prefix + group.get_absolute_url(),
                               {"name": SPAM, "email": "Ana@Example.org", "message": SPAM}, follow=True)
    assert response.status_code == 200
    if language == "en":
        assert "We have emailed you a confirmation." in response.content.decode()
    ack = acknowledgements("network/working_group_join_acknowledgement").get()
    assert ack.to == "ana@example.org"
    assert ack.language == language
    assert OutgoingEmail.objects.filter(purpose="network/working_group_join_request", to="group@example.org").exists()
    message = delivered(mailoutbox, "network/working_group_join_acknowledgement")
    assert f'<html lang="{language}">' in html_part(message)
    assert ("Priročnik" if language == "sl" else "Handbook") in message.subject
    assert SPAM not in message.body and SPAM not in html_part(message) and SPAM not in message.subject


def test_a_service_request_says_truthfully_it_went_to_the_coordinators(client, mailoutbox,
                                                                      django_capture_on_commit_callbacks):
    module = ServiceModuleFactory(name="Helpdesk")
    # A pending partner's offer does not count: its page does not list it, and nobody there answers.
    ServiceOfferFactory(module=module, partner=PartnerFactory(status=Partner.Status.PENDING),
                        contact_email="pending@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(module.get_absolute_url(), {"name": "Ana", "email": "ana@example.org",
                                                           "message": SPAM}, follow=True)
    body = response.content.decode()
    assert "No institution offers this service yet, so your request was sent to the network coordinators." in body
    routed = OutgoingEmail.objects.filter(purpose="network/service_request")
    assert list(routed.values_list("to", flat=True)) == ["coordinators@network.example"]
    message = delivered(mailoutbox, "network/service_request_acknowledgement")
    assert message.to == ["ana@example.org"]
    assert "went to the network coordinators" in message.body
    assert SPAM not in message.body and SPAM not in html_part(message)


def test_a_service_request_to_offering_institutions_says_so(client, django_capture_on_commit_callbacks):
    offer = ServiceOfferFactory(contact_email="desk@library.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(offer.module.get_absolute_url(), {"name": "Ana", "email": "ana@example.org",
                                                                 "message": "Please"}, follow=True)
    assert "Your request was sent to the institutions offering this service." in response.content.decode()
    ack = acknowledgements("network/service_request_acknowledgement").get()
    assert ack.to == "ana@example.org" and ack.language == "en"
    assert "went to the institutions that offer this service" in ack.body_text


def test_service_request_acknowledgement_is_in_slovenian_from_a_slovenian_page(client):
    module = ServiceModuleFactory(name_en="Helpdesk", name_sl="Pomoč")
    client.post(f"/sl{module.get_absolute_url()}", {"name": "Ana", "email": "ana@example.org", "message": "Prosim"})
    ack = acknowledgements("network/service_request_acknowledgement").get()
    assert ack.language == "sl"
    assert "Pomoč" in ack.subject
    assert '<html lang="sl">' in ack.body_html


def test_the_service_returns_where_the_request_went():
    module = ServiceModuleFactory()
    with translation.override("en"):
        routed = services.request_service(module=module, name="Ana", email="ana@example.org")
    assert routed.to_network_coordinators and routed.messages == 1
    ServiceOfferFactory(module=module, contact_email="a@example.org")
    ServiceOfferFactory(module=module, contact_email="b@example.org")
    routed = services.request_service(module=module, name="Ana", email="ana@example.org")
    assert not routed.to_network_coordinators and routed.messages == 2


def test_invalid_requests_store_and_send_nothing(client):
    group = WorkingGroupFactory()
    module = ServiceModuleFactory()
    for url in (group.get_absolute_url(), module.get_absolute_url()):
        response = client.post(url, {"name": "", "email": "not-an-address", "message": ""})
        assert response.status_code == 200
    assert not OutgoingEmail.objects.exists()
