import json

import pytest
from django.urls import reverse

from network.models import NetworkContact
from outbox.models import OutgoingEmail
from tests.network.factories import PartnerFactory, ServiceModuleFactory, ServiceOfferFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db


def test_partner_detail_has_json_ld(client):
    partner = PartnerFactory(name="Kranj </script> Library", website="https://example.org")
    response = client.get(partner.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert '"@type": "Organization"' in body
    assert "Kranj \\u003c/script> Library" in body
    assert body.count("<h1") == 1


def test_api_and_csv(client):
    PartnerFactory(name="Listed", description="=cmd")
    PartnerFactory(name="External", is_network_partner=False)
    data = json.loads(client.get(reverse("network:api_partners")).content)
    assert [r["name"] for r in data["results"]] == ["Listed"]
    assert {"name", "slug", "kind", "type", "roles", "needs_review", "description", "url", "website", "city"} <= set(data["results"][0])
    csv = client.get(reverse("network:partners_csv")).content.decode()
    assert "Listed" in csv and "External" not in csv and "'=cmd" in csv


def test_services_page_and_matrix(client):
    offer = ServiceOfferFactory(module=ServiceModuleFactory(name="Activity Portal"))
    body = client.get(reverse("network:service_list")).content.decode()
    assert "Activity Portal" in body and offer.partner.name in body and "BESPOC" in body


def test_service_request_routes_to_offering_institution(client, django_capture_on_commit_callbacks):
    offer = ServiceOfferFactory(contact_email="desk@library.example")
    client.post(offer.module.get_absolute_url(), {"name": "Ana", "email": "ana@example.org", "message": "Please"})
    routed = OutgoingEmail.objects.filter(purpose="network/service_request")
    assert list(routed.values_list("to", flat=True)) == ["desk@library.example"]


def test_ask_to_join_working_group_emails_lead_and_coordinators(client, settings, network_coordinator):
    settings.NETWORK_COORDINATOR_EMAILS = []
    group = WorkingGroupFactory(contact_email="")
    lead = PartnerFactory(email="lead@example.org")
    group.lead_partners.add(lead)
    response = client.post(group.get_absolute_url(), {"name": "Ana", "email": "ana@example.org", "message": "Hi"})
    assert response.status_code == 302
    routed = OutgoingEmail.objects.filter(purpose="network/working_group_join_request")
    assert set(routed.values_list("to", flat=True)) == {"lead@example.org", network_coordinator.email}


def test_ask_to_join_garbage_is_rerendered(client):
    group = WorkingGroupFactory()
    response = client.post(group.get_absolute_url(), {"name": "", "email": "nope"})
    assert response.status_code == 200
    assert not OutgoingEmail.objects.exists()


def test_footer_contact_single_query_and_no_contact(client, django_assert_max_num_queries):
    response = client.get(reverse("network:join"))
    assert response.status_code == 200  # no NetworkContact: no failure
    NetworkContact.objects.create(address="Trg republike 3", phone="01 2003 416", coordinator_name="Andreja")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        body = client.get(reverse("network:join")).content.decode()
    assert "Trg republike 3" in body and "01 2003 416" in body and "Andreja" in body
    assert sum("network_networkcontact" in q["sql"] for q in ctx.captured_queries) == 1
