"""``infrastructure.demo.load``: three clearly marked demo offers on existing partners, once."""

from __future__ import annotations

from io import StringIO

import pytest

from infrastructure import demo
from infrastructure.models import Resource
from network.models import Partner
from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_creates_three_marked_demo_resources_once_and_no_partner():
    PartnerFactory.create_batch(2)
    demo.load(stdout=StringIO())
    demo.load(stdout=StringIO())
    resources = list(Resource.objects.all())
    assert len(resources) == 3 and Partner.objects.count() == 2
    for resource in resources:
        assert resource.title_en.startswith("Demo:") and resource.title_sl.startswith("Demo:")
        assert "demo data" in resource.description_en and "demonstracijski" in resource.description_sl
        assert resource.published
    assert Resource.objects.public().count() == 3


def test_without_partners_it_says_so_and_creates_nothing():
    out = StringIO()
    demo.load(stdout=out)
    assert not Resource.objects.exists() and not Partner.objects.exists()
    assert "load_seeds" in out.getvalue()


def test_the_instrument_goes_to_a_partner_with_a_coordinator_login_and_edits_are_kept():
    from tests.conftest import make_user

    PartnerFactory(name="Alpha Library")
    coordinated = PartnerFactory(name="Zeta Library")
    coordinated.coordinators.add(make_user("zeta@example.org", is_staff=True))
    demo.load(stdout=StringIO())
    instrument = Resource.objects.get(kind=Resource.Kind.INSTRUMENT)
    assert instrument.partner == coordinated  # its coordinator sees the requests in the admin
    Resource.objects.filter(pk=instrument.pk).update(title_en="Demo: our own kit")
    demo.load(stdout=StringIO())
    assert Resource.objects.get(pk=instrument.pk).title_en == "Demo: our own kit"
