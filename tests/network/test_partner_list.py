import pytest
from django.urls import reverse

from network.models import Partner
from tests.network.factories import PartnerFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["jozef", "JOŽEF", "Jožef", "stefan"])
def test_search_ignores_case_and_accents(client, query):
    PartnerFactory(name="Jožef Stefan Institute")
    PartnerFactory(name="Kranj City Library")
    response = client.get(reverse("network:partner_list"), {"q": query})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Jožef Stefan Institute" in body
    assert "Kranj City Library" not in body


def test_only_published_network_partners_are_listed(client):
    PartnerFactory(name="Visible One")
    PartnerFactory(name="Pending One", status=Partner.Status.PENDING)
    PartnerFactory(name="External One", is_network_partner=False)
    body = client.get(reverse("network:partner_list")).content.decode()
    assert "Visible One" in body
    assert "Pending One" not in body
    assert "External One" not in body


def test_filters_and_result_count(client):
    group = WorkingGroupFactory()
    member = PartnerFactory(name="Member Library", roles=["promoter"])
    group.members.add(member)
    PartnerFactory(name="Other Library", roles=["organiser"])
    body = client.get(reverse("network:partner_list"), {"working_group": group.slug}).content.decode()
    assert "Member Library" in body and "Other Library" not in body
    assert "1 partner found" in body
    body = client.get(reverse("network:partner_list"), {"role": "organiser"}).content.decode()
    assert "Other Library" in body and "Member Library" not in body


def test_individual_kind_filter(client):
    PartnerFactory(name="A Person", kind=Partner.Kind.INDIVIDUAL, partner_type=Partner.Type.INDIVIDUAL)
    PartnerFactory(name="An Org")
    body = client.get(reverse("network:partner_list"), {"kind": "individual"}).content.decode()
    assert "A Person" in body and "An Org" not in body


def test_invalid_filter_values_do_not_500(client):
    response = client.get(reverse("network:partner_list"), {"kind": "x", "page": "zzz", "module": "nope"})
    assert response.status_code == 200


def _count_queries(client, django_assert_max_num_queries, n):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("network:partner_list"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_partners(client, django_assert_max_num_queries):
    PartnerFactory.create_batch(5)
    few = _count_queries(client, django_assert_max_num_queries, 5)
    PartnerFactory.create_batch(35)
    with django_assert_max_num_queries(few):
        response = client.get(reverse("network:partner_list"))
    assert response.status_code == 200
    assert response.context["count"] == 40
