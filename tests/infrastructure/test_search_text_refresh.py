"""A partner saved with a new name or acronym refreshes its resources' search text in one read
and one UPDATE, whatever their number; a save that cannot have changed either touches no resource."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infrastructure.models import Resource
from tests.infrastructure.factories import ResourceFactory
from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def _resource_queries(save) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        save()
    return [q["sql"] for q in queries.captured_queries if "infrastructure_resource" in q["sql"]]


def test_a_rename_refreshes_every_resource_in_one_update():
    partner = PartnerFactory(name="Institut Jožef Stefan")
    resources = ResourceFactory.create_batch(5, partner=partner)
    partner.name_en = "Nova Gorica Observatory"
    sql = _resource_queries(partner.save)
    assert [statement.split()[0].upper() for statement in sql] == ["SELECT", "UPDATE"]
    assert set(Resource.objects.search("gorica")) == set(resources)
    assert not Resource.objects.search("jozef").exists()


@pytest.mark.parametrize("field", ["name_sl", "acronym_en", "acronym"])
def test_a_save_of_the_name_or_acronym_alone_refreshes(field):
    partner = PartnerFactory()
    resource = ResourceFactory(partner=partner)
    setattr(partner, field, "Zvezdarna")
    partner.save(update_fields=[field])
    assert list(Resource.objects.search("zvezdarna")) == [resource]


def test_a_save_of_other_fields_touches_no_resource():
    partner = PartnerFactory(name="Institut Jožef Stefan")
    ResourceFactory.create_batch(3, partner=partner)
    partner.needs_review = True
    assert _resource_queries(lambda: partner.save(update_fields=["needs_review"])) == []
    assert Resource.objects.search("jozef").count() == 3
