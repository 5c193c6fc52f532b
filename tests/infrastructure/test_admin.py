"""Permission matrix: every admin URL of the catalogue × the cast of users, and what a partner's
coordinator may pick, see and change."""

from __future__ import annotations

import pytest

from infrastructure.models import Resource, UseRequest
from tests.infrastructure.factories import ResourceFactory, UseRequestFactory
from tests.network.admin_matrix import DENIED, OK, ROLES, admin_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(partner_a, partner_b):
    resource_a = ResourceFactory(partner=partner_a, title_en="Alpha microscope", published=False)
    resource_b = ResourceFactory(partner=partner_b, title_en="Beta telescope")
    return {
        "ra": resource_a, "rb": resource_b,
        "qa": UseRequestFactory(resource=resource_a, name="Asker of Alpha"),
        "qb": UseRequestFactory(resource=resource_b, name="Asker of Beta"),
    }


URLS = {
    "resources": "/admin/infrastructure/resource/",
    "resource_add": "/admin/infrastructure/resource/add/",
    "resource_a": "/admin/infrastructure/resource/{ra}/change/",
    "resource_b": "/admin/infrastructure/resource/{rb}/change/",
    "resource_a_history": "/admin/infrastructure/resource/{ra}/history/",
    "resource_b_history": "/admin/infrastructure/resource/{rb}/history/",
    "resource_a_delete": "/admin/infrastructure/resource/{ra}/delete/",
    "requests": "/admin/infrastructure/userequest/",
    "request_add": "/admin/infrastructure/userequest/add/",
    "request_a": "/admin/infrastructure/userequest/{qa}/change/",
    "request_b": "/admin/infrastructure/userequest/{qb}/change/",
    "request_a_delete": "/admin/infrastructure/userequest/{qa}/delete/",
}

EXPECTED = {
    #                     network  a       b       anonymous
    "resources": (OK, OK, OK, DENIED),
    "resource_add": (OK, OK, OK, DENIED),
    "resource_a": (OK, OK, DENIED, DENIED),
    "resource_b": (OK, DENIED, OK, DENIED),
    "resource_a_history": (OK, OK, DENIED, DENIED),
    "resource_b_history": (OK, DENIED, OK, DENIED),
    "resource_a_delete": (OK, DENIED, DENIED, DENIED),
    "requests": (OK, OK, OK, DENIED),
    "request_add": (DENIED, DENIED, DENIED, DENIED),
    "request_a": (OK, OK, DENIED, DENIED),
    "request_b": (OK, DENIED, OK, DENIED),
    "request_a_delete": (OK, DENIED, DENIED, DENIED),
}


@pytest.mark.parametrize("name", list(URLS))
def test_matrix(client, cast, rows, name):
    url = URLS[name].format(**{key: row.pk for key, row in rows.items()})
    got = tuple(admin_status(client, cast[who], url) for who in ROLES)
    assert got == EXPECTED[name], (name, got)


def test_lists_show_only_own_rows(client, coordinator_a, rows):
    client.force_login(coordinator_a)
    body = client.get("/admin/infrastructure/resource/").content.decode()
    assert "Alpha microscope" in body and "Beta telescope" not in body
    body = client.get("/admin/infrastructure/resource/", {"q": "telescope"}).content.decode()
    assert "Beta telescope" not in body
    body = client.get("/admin/infrastructure/userequest/").content.decode()
    assert "Asker of Alpha" in body and "Asker of Beta" not in body


def test_the_partner_field_offers_only_own_partners(client, coordinator_a, network_coordinator, partner_a, partner_b):
    client.force_login(coordinator_a)
    choices = client.get("/admin/infrastructure/resource/add/").context["adminform"].form.fields["partner"].queryset
    assert list(choices) == [partner_a]
    client.force_login(network_coordinator)
    choices = client.get("/admin/infrastructure/resource/add/").context["adminform"].form.fields["partner"].queryset
    assert set(choices) == {partner_a, partner_b}


def _resource_form(partner, **extra) -> dict:
    return {
        "partner": partner.pk, "kind": "laboratory", "title_en": "", "title_sl": "Laboratorij", "slug": "lab",
        "summary_en": "", "summary_sl": "", "description_en": "", "description_sl": "", "cost": "free",
        "fee_note_en": "", "fee_note_sl": "", "lead_time_days": "", "location": "", "region": "",
        "who_may_use_en": "", "who_may_use_sl": "", "booking_notes_en": "", "booking_notes_sl": "",
        "image_description": "", "published": "on", **extra,
    }


def test_a_partner_coordinator_adds_a_resource_for_their_partner_only(client, coordinator_a, partner_a, partner_b):
    client.force_login(coordinator_a)
    refused = client.post("/admin/infrastructure/resource/add/", _resource_form(partner_b))
    assert refused.status_code == 200 and "partner" in refused.context["adminform"].form.errors
    assert not Resource.objects.exists()
    response = client.post("/admin/infrastructure/resource/add/", _resource_form(partner_a))
    assert response.status_code == 302, response.context["adminform"].form.errors
    resource = Resource.objects.get()
    assert (resource.partner, resource.title_sl, resource.published) == (partner_a, "Laboratorij", True)


def test_the_admin_edits_both_languages_side_by_side(network_coordinator_client, partner_a):
    body = network_coordinator_client.get("/admin/infrastructure/resource/add/").content.decode()
    assert "Title (English)" in body and "Title (Slovenian)" in body
    assert 'lang="sl"' in body


def test_a_status_change_goes_through_the_service(client, coordinator_a, rows):
    client.force_login(coordinator_a)
    url = f"/admin/infrastructure/userequest/{rows['qa'].pk}/change/"
    response = client.post(url, {"status": "answered", "internal_note": "Phoned her."})
    assert response.status_code == 302
    request = UseRequest.objects.get(pk=rows["qa"].pk)
    assert (request.status, request.internal_note) == ("answered", "Phoned her.")
    assert request.status_changed_by == coordinator_a
    assert request.name == "Asker of Alpha"  # read-only here


def test_status_actions_touch_only_own_requests(client, coordinator_a, rows):
    client.force_login(coordinator_a)
    client.post(
        "/admin/infrastructure/userequest/",
        {"action": "mark_closed", "_selected_action": [rows["qa"].pk, rows["qb"].pk]},
    )
    assert UseRequest.objects.get(pk=rows["qa"].pk).status == "closed"
    assert UseRequest.objects.get(pk=rows["qb"].pk).status == "new"


def test_another_partners_request_cannot_be_changed(client, coordinator_b, rows):
    client.force_login(coordinator_b)
    client.post(f"/admin/infrastructure/userequest/{rows['qa'].pk}/change/", {"status": "closed"})
    assert UseRequest.objects.get(pk=rows["qa"].pk).status == "new"
