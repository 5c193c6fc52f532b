"""/admin/r/<content type>/<id>/ ("view on site") redirects only to public objects, except for
network coordinators, and always to SITE_URL (issue 16, finding 7). Django's own view redirected
any staff user to drafts and pending applications, revealing their slugs, and to the Sites
framework's domain ("example.com")."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType

from events.models import Event
from network.models import Partner
from portal.models import NewsItem
from tests.events.factories import EventFactory
from tests.network.factories import PartnerFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db

SITE_URL = "https://znanost.example.si"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


def _view_on_site(obj) -> str:
    return f"/admin/r/{ContentType.objects.get_for_model(obj).pk}/{obj.pk}/"


def _as(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def draft_event(partner_a) -> Event:
    event = EventFactory(slug="secret-draft", status=Event.Status.DRAFT)
    event.organisers.add(partner_a)  # coordinator_a may open it in the admin
    return event


@pytest.fixture
def application(coordinator_a) -> Partner:
    partner = PartnerFactory(slug="pending-application", status=Partner.Status.PENDING)
    partner.coordinators.add(coordinator_a)
    return partner


def _hidden_news() -> NewsItem:
    return NewsItem.objects.create(title="Embargoed", slug="embargoed", body="x", is_published=False)


def _future_news() -> NewsItem:
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    return NewsItem.objects.create(title="Tomorrow", slug="tomorrow", body="x", published_on=tomorrow)


@pytest.mark.parametrize("private", ["draft_event", "application", "hidden news", "future news"])
def test_a_partner_coordinator_gets_404_for_what_the_public_cannot_see(client, coordinator_a, request, private):
    obj = {"hidden news": _hidden_news, "future news": _future_news}.get(private, lambda: request.getfixturevalue(private))()
    response = _as(client, coordinator_a).get(_view_on_site(obj))
    assert response.status_code == 404
    assert obj.slug not in response.content.decode() and not response.has_header("Location")


@pytest.mark.parametrize("private", ["draft_event", "application"])
def test_a_network_coordinator_previews_it_on_the_configured_site(client, network_coordinator, request, private):
    obj = request.getfixturevalue(private)
    response = _as(client, network_coordinator).get(_view_on_site(obj))
    assert response.status_code == 302
    assert response["Location"] == SITE_URL + obj.get_absolute_url()


def test_public_objects_redirect_any_staff_user_to_the_configured_site(client, coordinator_a, partner_b):
    cancelled = EventFactory(slug="called-off", status=Event.Status.CANCELLED)
    news = NewsItem.objects.create(title="Out", slug="out", body="x", published_on=datetime.date(2024, 1, 1))
    _as(client, coordinator_a)
    for obj, path in [(partner_b, "/partners/beta-institute/"), (cancelled, "/events/called-off/"), (news, "/news/out/")]:
        response = client.get(_view_on_site(obj), HTTP_HOST="127.0.0.1:6666")
        assert (response.status_code, response["Location"]) == (302, SITE_URL + path)


def test_a_model_without_a_published_rule_is_only_for_network_coordinators(client, coordinator_a, network_coordinator):
    group = WorkingGroupFactory(slug="group")
    assert _as(client, coordinator_a).get(_view_on_site(group)).status_code == 404
    response = _as(client, network_coordinator).get(_view_on_site(group))
    assert response["Location"] == f"{SITE_URL}/working-groups/group/"


def test_visitors_are_sent_to_the_admin_login_not_to_the_object(client, draft_event):
    response = client.get(_view_on_site(draft_event))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert "secret-draft" not in response["Location"]


@pytest.mark.parametrize("path", ["/admin/r/999999/1/", "/admin/r/abc/1/", "/admin/r/{partner}/not-a-number/", "/admin/r/{partner}/999999/"])
def test_unknown_types_and_objects_are_404(network_coordinator_client, path):
    partner_type = ContentType.objects.get_for_model(Partner).pk
    assert network_coordinator_client.get(path.format(partner=partner_type)).status_code == 404


def test_the_admins_view_on_site_link_leads_through_this_rule(client, network_coordinator, application):
    page = _as(client, network_coordinator).get(f"/admin/network/partner/{application.pk}/change/").content.decode()
    link = re.search(r'href="(/admin/r/\d+/\d+/)"', page)
    assert link, "the change form has no view-on-site link"
    assert client.get(link.group(1))["Location"] == SITE_URL + "/partners/pending-application/"
