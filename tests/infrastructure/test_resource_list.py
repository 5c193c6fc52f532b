"""``/infrastructure/``: the public catalogue, its filters, its languages and its cost per page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from infrastructure.models import Resource
from network.models import Partner
from tests.infrastructure.factories import ResourceFactory
from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db
URL = "/infrastructure/"


def titles(response) -> list[str]:
    return [r.title for r in response.context["page"].object_list]


def test_the_url_names():
    assert reverse("infrastructure:resource_list") == URL
    assert reverse("infrastructure:resource_detail", kwargs={"slug": "kit"}) == "/infrastructure/kit/"


def test_lists_only_public_resources_with_their_cards(client):
    partner = PartnerFactory(name="Alpha Library", city="Kranj")
    ResourceFactory(partner=partner, title_en="Bird ringing kit", cost=Resource.Cost.FEE)
    ResourceFactory(title_en="Hidden draft", published=False)
    ResourceFactory(title_en="Pending partner's lab", partner=PartnerFactory(status=Partner.Status.PENDING))
    response = client.get(URL)
    assert response.status_code == 200
    assert titles(response) == ["Bird ringing kit"]
    body = response.content.decode()
    card = body[body.index('class="card resource-card"'):]
    for shown in ("Bird ringing kit", "Instrument or kit to borrow", "Alpha Library", "Kranj", "For a fee"):
        assert shown in card
    assert "Hidden draft" not in body and "Pending partner" not in body
    assert body.count("<h1") == 1


def test_filters_by_kind_partner_cost_and_region(client):
    alpha = PartnerFactory(name="Alpha", slug="alpha", region="Gorenjska")
    beta = PartnerFactory(name="Beta", slug="beta", region="Podravska")
    ResourceFactory(partner=alpha, title_en="Alpha lab", kind=Resource.Kind.LABORATORY)
    ResourceFactory(partner=alpha, title_en="Alpha room in Koper", kind=Resource.Kind.VENUE, region="Obalno-kraška")
    ResourceFactory(partner=beta, title_en="Beta software", kind=Resource.Kind.SOFTWARE, cost=Resource.Cost.FEE)
    assert titles(client.get(URL, {"kind": "laboratory"})) == ["Alpha lab"]
    assert titles(client.get(URL, {"partner": "beta"})) == ["Beta software"]
    assert titles(client.get(URL, {"free": "on"})) == ["Alpha lab", "Alpha room in Koper"]
    # A resource's own region, else its partner's.
    assert titles(client.get(URL, {"region": "Gorenjska"})) == ["Alpha lab"]
    assert titles(client.get(URL, {"region": "Obalno-kraška"})) == ["Alpha room in Koper"]
    assert titles(client.get(URL, {"region": "Podravska", "free": "on"})) == []
    region_choices = [value for value, _ in client.get(URL).context["filter"].form.fields["region"].choices]
    assert region_choices == ["", "Gorenjska", "Obalno-kraška", "Podravska"]


def test_search_is_accent_and_case_insensitive_in_both_languages(client):
    ResourceFactory(title_en="Water test kit", title_sl="Komplet za preverjanje čistoče vode")
    ResourceFactory(title_en="Telescope", title_sl="Teleskop", partner=PartnerFactory(name="Observatorij Črni Vrh"))
    assert titles(client.get(URL, {"q": "CISTOCE"})) == ["Water test kit"]
    assert titles(client.get(URL, {"q": "water"})) == ["Water test kit"]
    assert titles(client.get(URL, {"q": "crni vrh"})) == ["Telescope"]
    sl = client.get("/sl" + URL, {"q": "čistoče"})
    assert titles(sl) == ["Komplet za preverjanje čistoče vode"]
    assert titles(client.get("/sl" + URL, {"q": "WATER"})) == ["Komplet za preverjanje čistoče vode"]


def test_a_search_that_cannot_be_used_shows_everything_and_says_so(client):
    ResourceFactory(title_en="Kit")
    response = client.get(URL, {"q": "x" * 300, "kind": "nonsense"})
    assert response.status_code == 200
    assert titles(response) == ["Kit"]
    assert "Your search could not be used" in response.content.decode()


def test_filters_without_choices_are_not_shown(client, django_capture_on_commit_callbacks):
    ResourceFactory(title_en="Kit")  # its partner names no region
    fields = client.get(URL).context["filter"].form.fields
    assert "region" not in fields and {"q", "kind", "partner", "free"} <= set(fields)
    with django_capture_on_commit_callbacks(execute=True):
        Resource.objects.all().delete()
    fields = client.get(URL).context["filter"].form.fields
    assert "partner" not in fields and "region" not in fields


def test_slovenian_page_shows_slovenian_texts_and_marks_the_fallback(client):
    ResourceFactory(title_en="Microscope", title_sl="Mikroskop", summary_en="To borrow.", summary_sl="Za izposojo.")
    ResourceFactory(title_en="Only English lab", title_sl="", summary_en="English only.", summary_sl="")
    body = client.get("/sl" + URL).content.decode()
    assert '<html lang="sl"' in body
    assert ">Mikroskop</a>" in body and "Za izposojo." in body
    assert re.search(r'<a href="/sl/infrastructure/[^"]+/" lang="en">Only English lab</a>', body)
    assert '<p lang="en">English only.</p>' in body


def test_titles_sort_in_the_visitors_alphabet(client):
    for title in ("Zvezdogled", "Čitalnica", "Cevi"):
        ResourceFactory(title_en=title)
    assert titles(client.get("/sl" + URL)) == ["Cevi", "Čitalnica", "Zvezdogled"]


def test_pages_of_results(client):
    for n in range(30):
        ResourceFactory(title_en=f"Kit {n:02d}")
    first = client.get(URL)
    assert len(titles(first)) == 24 and first.context["count"] == 30
    second = client.get(URL, {"page": 2, "kind": "instrument"})
    assert titles(second) == [f"Kit {n}" for n in range(24, 30)]
    assert 'href="?kind=instrument&amp;page=1"' in second.content.decode()


def _make_rows(n: int) -> None:
    for _ in range(n):
        ResourceFactory(partner=PartnerFactory(region="Gorenjska", city="Kranj"))


def test_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    """As ``tests/test_list_queries.py``: 5 resources, then 50, the same number of queries."""
    _make_rows(5)
    with django_assert_max_num_queries(30) as few:
        first = client.get(URL, {"free": "on"})
    assert first.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # committed: the cached page is stale
        _make_rows(45)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"free": "on"})
    assert response.context["count"] == 50
    assert response.content.decode().count("resource-card") > first.content.decode().count("resource-card")


def test_the_list_is_cached_and_an_edit_makes_it_stale(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        resource = ResourceFactory(title_en="Kit")
    client.get(URL)
    assert client.get(URL).context is None  # served from the page cache
    with django_capture_on_commit_callbacks(execute=True):
        resource.title_en = "Renamed kit"
        resource.save()
    assert "Renamed kit" in client.get(URL).content.decode()
