"""The catalogue's tables: constraints in the database, what is public, and the search."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from infrastructure.models import Resource
from network.models import Partner
from tests.infrastructure.factories import ResourceFactory, UseRequestFactory
from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "spaceship"},
        {"cost": "priceless"},
        {"title": ""},  # the column modeltranslation fills with the title in either language
    ],
    ids=["kind", "cost", "title"],
)
def test_resource_constraints(fields):
    resource = ResourceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.rewrite(False).filter(pk=resource.pk).update(**fields)


def test_wanted_until_may_not_be_before_wanted_from():
    with pytest.raises(IntegrityError), transaction.atomic():
        UseRequestFactory(wanted_from=date(2030, 5, 4), wanted_to=date(2030, 5, 3))
    UseRequestFactory(wanted_from=date(2030, 5, 4), wanted_to=date(2030, 5, 4))  # one day is fine
    UseRequestFactory(wanted_from=None, wanted_to=date(2030, 5, 3))  # an open start too


def test_request_status_and_address_are_checked():
    with pytest.raises(IntegrityError), transaction.atomic():
        UseRequestFactory(status="lost")
    with pytest.raises(IntegrityError), transaction.atomic():
        UseRequestFactory(email="")


def test_public_means_published_resource_of_a_published_partner():
    shown = ResourceFactory()
    ResourceFactory(published=False)
    ResourceFactory(partner=PartnerFactory(status=Partner.Status.PENDING))
    ResourceFactory(partner=PartnerFactory(status=Partner.Status.ARCHIVED))
    assert list(Resource.objects.public()) == [shown]


def test_search_ignores_accents_and_case_in_both_languages():
    kit = ResourceFactory(title_en="Water test kit", title_sl="Komplet za preverjanje čistoče vode")
    ResourceFactory(title_en="Telescope", title_sl="Teleskop")
    assert list(Resource.objects.search("CISTOCE")) == [kit]
    assert list(Resource.objects.search("čistoče vode")) == [kit]
    assert list(Resource.objects.search("water KIT")) == [kit]
    assert list(Resource.objects.search("water telescope")) == []  # every word must match
    assert set(Resource.objects.search("   ")) == set(Resource.objects.all())


def test_search_finds_the_partner_by_name_and_follows_a_rename():
    partner = PartnerFactory(name="Institut Jožef Stefan")
    resource = ResourceFactory(partner=partner, title_en="Mass spectrometer")
    assert list(Resource.objects.search("jozef")) == [resource]
    partner.name_en = "Nova Gorica Observatory"
    partner.save()
    assert list(Resource.objects.search("jozef")) == []
    assert list(Resource.objects.search("gorica")) == [resource]


def test_an_absurdly_long_query_is_cut_not_an_error():
    ResourceFactory(title_en="Kit")
    assert list(Resource.objects.search("kit " * 500)) != []


def test_absolute_url_and_place_fall_back_to_the_partner():
    partner = PartnerFactory(city="Maribor", region="Podravska")
    resource = ResourceFactory(partner=partner, slug="drone")
    assert resource.get_absolute_url() == "/infrastructure/drone/"
    assert (resource.town, resource.shown_region) == ("Maribor", "Podravska")
    resource.location, resource.region = "Ptuj", "Spodnjepodravska"
    assert (resource.town, resource.shown_region) == ("Ptuj", "Spodnjepodravska")
    assert isinstance(UseRequestFactory(resource=resource).__str__(), str)
    assert "Ana" not in str(UseRequestFactory(resource=resource))  # no name where the admin logs it
