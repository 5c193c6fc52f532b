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


def test_query_count_does_not_grow_with_partners(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    PartnerFactory.create_batch(5)
    few = _count_queries(client, django_assert_max_num_queries, 5)
    with django_capture_on_commit_callbacks(execute=True):
        PartnerFactory.create_batch(35)
    with django_assert_max_num_queries(few):
        response = client.get(reverse("network:partner_list"))
    assert response.status_code == 200
    assert response.context["count"] == 40


def test_an_over_long_search_is_a_form_error_not_a_503(client):
    PartnerFactory(name="Kranj City Library")
    response = client.get(reverse("network:partner_list"), {"q": "a" * 100_000})
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["filter"].form.errors["q"]
    assert 'id="id_q_error"' in body and 'aria-invalid="true"' in body
    assert "Kranj City Library" in body  # the list shows every partner


def test_a_query_at_the_limit_still_searches(client):
    PartnerFactory(name="Kranj City Library")
    PartnerFactory(name="Ljubljana Library")
    response = client.get(reverse("network:partner_list"), {"q": "kranj " + " " * 194})
    assert response.status_code == 200
    assert not response.context["filter"].form.errors
    assert response.context["count"] == 1


def test_a_many_word_search_uses_the_first_ten_words(client):
    PartnerFactory(name="Kranj City Library")
    PartnerFactory(name="Ljubljana Library")
    response = client.get(reverse("network:partner_list"), {"q": " ".join(["kranj"] * 2_000)})
    assert response.status_code == 200 and response.context["filter"].form.errors["q"]
    # Only the first ten words are searched: an eleventh that matches nothing is ignored …
    response = client.get(reverse("network:partner_list"), {"q": " ".join(["kranj"] * 10) + " nomatch"})
    assert response.status_code == 200
    assert response.context["count"] == 1
    # … while a tenth word still counts.
    response = client.get(reverse("network:partner_list"), {"q": " ".join(["kranj"] * 9) + " nomatch"})
    assert response.context["count"] == 0


def test_search_directly_with_thousands_of_words_does_not_fail():
    PartnerFactory(name="Kranj City Library")
    words = " ".join(f"kranj{i}" if i else "kranj" for i in range(2_000))
    assert Partner.objects.search(words).count() == 0  # kranj1 … kranj9 are among the first ten
    assert Partner.objects.search("kranj " * 2_000).count() == 1
    assert Partner.objects.search("kranj " + "a" * 100_000).count() == 0
