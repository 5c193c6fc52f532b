"""Permission matrix: every admin URL of the network models × the cast of users."""

import json

import pytest

from network.models import Partner, ServiceOffer
from tests.network.admin_matrix import DENIED, OK, ROLES, admin_status
from tests.network.factories import ServiceModuleFactory, ServiceOfferFactory

pytestmark = pytest.mark.django_db


URLS = {
    "changelist": "/admin/network/partner/",
    "add": "/admin/network/partner/add/",
    "change_a": "/admin/network/partner/{a}/change/",
    "change_b": "/admin/network/partner/{b}/change/",
    "history_a": "/admin/network/partner/{a}/history/",
    "history_b": "/admin/network/partner/{b}/history/",
    "delete_a": "/admin/network/partner/{a}/delete/",
    "delete_b": "/admin/network/partner/{b}/delete/",
    "offers": "/admin/network/serviceoffer/",
    "offer_add": "/admin/network/serviceoffer/add/",
    "module_add": "/admin/network/servicemodule/add/",
    "wg_add": "/admin/network/workinggroup/add/",
    "contact_add": "/admin/network/networkcontact/add/",
}

EXPECTED = {
    #               network  a       b       anonymous
    "changelist": (OK, OK, OK, DENIED),
    "add": (OK, DENIED, DENIED, DENIED),
    "change_a": (OK, OK, DENIED, DENIED),
    "change_b": (OK, DENIED, OK, DENIED),
    "history_a": (OK, OK, DENIED, DENIED),
    "history_b": (OK, DENIED, OK, DENIED),
    "delete_a": (OK, DENIED, DENIED, DENIED),
    "delete_b": (OK, DENIED, DENIED, DENIED),
    "offers": (OK, OK, OK, DENIED),
    "offer_add": (OK, OK, OK, DENIED),
    "module_add": (OK, DENIED, DENIED, DENIED),
    "wg_add": (OK, DENIED, DENIED, DENIED),
    "contact_add": (OK, DENIED, DENIED, DENIED),
}


@pytest.mark.parametrize("name", list(URLS))
def test_matrix(client, cast, partner_a, partner_b, name):
    url = URLS[name].format(a=partner_a.pk, b=partner_b.pk)
    got = tuple(admin_status(client, cast[who], url) for who in ROLES)
    assert got == EXPECTED[name], (name, got)


def test_changelist_and_search_show_only_own_partner(client, coordinator_a, partner_a, partner_b):
    client.force_login(coordinator_a)
    body = client.get("/admin/network/partner/", {"q": "Beta"}).content.decode()
    assert "Beta Institute" not in body
    body = client.get("/admin/network/partner/").content.decode()
    assert "Alpha Library" in body and "Beta Institute" not in body


def test_autocomplete_only_own_partner(client, coordinator_a, partner_a, partner_b):
    client.force_login(coordinator_a)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "network", "model_name": "serviceoffer", "field_name": "partner", "term": ""},
    )
    if response.status_code == 200:
        names = {r["text"] for r in json.loads(response.content)["results"]}
        assert "Beta Institute" not in names
    else:
        assert response.status_code in (403, 404)


def test_foreign_key_choices_only_own_partner(client, coordinator_a, partner_a, partner_b):
    client.force_login(coordinator_a)
    form = client.get("/admin/network/serviceoffer/add/").context["adminform"].form
    assert list(form.fields["partner"].queryset) == [partner_a]


def test_coordinator_cannot_publish_archive_or_change_membership(client, coordinator_a, partner_a):
    client.force_login(coordinator_a)
    response = client.get(f"/admin/network/partner/{partner_a.pk}/change/")
    fields = response.context["adminform"].form.fields
    assert "status" not in fields and "is_network_partner" not in fields and "coordinators" not in fields
    action_form = client.get("/admin/network/partner/").context["action_form"]
    actions = action_form.fields["action"].choices if action_form else []
    assert not any(value in ("publish", "archive", "approve_applications", "reject_applications") for value, _ in actions)
    # posting an action anyway does nothing
    client.post("/admin/network/partner/", {"action": "archive", "_selected_action": [partner_a.pk]})
    partner_a.refresh_from_db()
    assert partner_a.status == Partner.Status.PUBLISHED


def test_coordinator_edits_own_partner(client, coordinator_a, partner_a):
    client.force_login(coordinator_a)
    response = client.post(
        f"/admin/network/partner/{partner_a.pk}/change/",
        {
            "name_en": "Alpha Library (edited)", "acronym_en": "", "kind": "organisation", "partner_type": "",
            "roles": ["promoter"], "description_en": "x", "website": "", "email": "", "phone": "", "address": "",
            "city": "", "municipality": "", "region": "", "country": "SI", "contact_name": "",
            "service_offers-TOTAL_FORMS": "0", "service_offers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    partner_a.refresh_from_db()
    assert partner_a.name == "Alpha Library (edited)"
    assert partner_a.status == Partner.Status.PUBLISHED


def test_offers_of_other_partners_hidden(client, coordinator_a, partner_a, partner_b):
    module = ServiceModuleFactory()
    ServiceOfferFactory(partner=partner_b, module=module)
    client.force_login(coordinator_a)
    assert client.get("/admin/network/serviceoffer/").context["cl"].result_count == 0
    offer = ServiceOffer.objects.get()
    assert client.get(f"/admin/network/serviceoffer/{offer.pk}/change/").status_code != 200


def test_roles_are_ticked_not_typed_as_json():
    from network.forms import PartnerAdminForm
    from network.models import Partner

    form = PartnerAdminForm()
    assert 'type="checkbox"' in str(form["roles"])
    partner = Partner(name="Example", slug="example", roles=["promoter"])
    bound = PartnerAdminForm(instance=partner)
    assert bound["roles"].value() == ["promoter"]


def test_roles_ticked_in_the_admin_are_saved_as_a_list(client, coordinator_a, partner_a):
    client.force_login(coordinator_a)
    client.post(
        f"/admin/network/partner/{partner_a.pk}/change/",
        {
            "name_en": partner_a.name, "acronym_en": "", "kind": "organisation", "partner_type": "",
            "roles": ["organiser", "infrastructure"], "description_en": "x", "website": "", "email": "", "phone": "",
            "address": "", "city": "", "municipality": "", "region": "", "country": "SI", "contact_name": "",
            "service_offers-TOTAL_FORMS": "0", "service_offers-INITIAL_FORMS": "0",
        },
    )
    partner_a.refresh_from_db()
    assert partner_a.roles == ["organiser", "infrastructure"]
