"""No page takes its links from the request (issue 16, findings 6 and 7).

The page cache keys a page by its path, not by the host it was asked for
(``core.cache.cached_public_page``). That is only safe because nothing in a cached page depends
on the request's ``Host`` or ``X-Forwarded-Proto``; these tests render every cached page, and the
Atom feed, for a forged host and scheme and look for any trace of them. The list of cached pages
is checked against the URLconf, so a new cached page cannot be left out."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator

import pytest
from django.contrib.sites.models import SITE_CACHE, Site
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import translation

from core.cache import cached_public_page
from portal.models import NewsItem
from tests.events.factories import EventFactory, SessionFactory, WebinarFactory
from tests.infrastructure.factories import ResourceFactory
from tests.network.factories import PartnerFactory, ServiceOfferFactory, WorkingGroupFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

SITE_URL = "https://znanost.example.si"
FORGED = {"HTTP_HOST": "127.0.0.1:6666", "HTTP_X_FORWARDED_PROTO": "http"}
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _site(settings):
    """The configured site is not the host the test client talks to (``testserver``), and the
    Sites row says what it says before anyone set it (``example.com``)."""
    settings.SITE_URL = SITE_URL
    Site.objects.filter(pk=settings.SITE_ID).update(domain="example.com", name="example.com")
    SITE_CACHE.clear()
    yield
    SITE_CACHE.clear()


@pytest.fixture
def content() -> dict[str, object]:
    partner = PartnerFactory(name="Kranj Library", slug="kranj-library", website="https://kranj.example")
    offer = ServiceOfferFactory(partner=partner)
    group = WorkingGroupFactory()
    group.members.add(partner)
    event = EventFactory(title="Bird count", slug="bird-count")
    event.organisers.add(partner)
    SessionFactory(event=event)
    webinar = WebinarFactory()
    SessionFactory(event=webinar.event)
    news = NewsItem.objects.create(
        title="Spring", slug="spring", body="Body", published_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    project = ProjectFactory(lead_partner=partner)
    ResourceFactory(partner=partner)
    return {"partner": partner, "module": offer.module, "group": group, "event": event, "news": news,
            "project": project}


# Every page kept by the page cache, by URL name: how to build its URL from the content above.
CACHED_PAGES: dict[str, Callable[[dict], str]] = {
    "portal:home": lambda c: reverse("portal:home"),
    "portal:about": lambda c: reverse("portal:about"),
    "portal:privacy": lambda c: reverse("portal:privacy"),
    "portal:news_list": lambda c: reverse("portal:news_list"),
    "portal:news_detail": lambda c: c["news"].get_absolute_url(),
    "network:partner_list": lambda c: reverse("network:partner_list"),
    "network:partner_detail": lambda c: c["partner"].get_absolute_url(),
    "network:partners_csv": lambda c: reverse("network:partners_csv"),
    "network:api_partners": lambda c: reverse("network:api_partners"),
    "network:working_group_list": lambda c: reverse("network:working_group_list"),
    "network:service_list": lambda c: reverse("network:service_list"),
    "events:event_list": lambda c: reverse("events:event_list"),
    "events:event_detail": lambda c: c["event"].get_absolute_url(),
    "events:calendar_feed": lambda c: reverse("events:calendar_feed"),
    "events:api_events": lambda c: reverse("events:api_events"),
    "webinars:webinar_list": lambda c: reverse("webinars:webinar_list"),
    "projects:project_list": lambda c: reverse("projects:project_list"),
    "projects:project_detail": lambda c: c["project"].get_absolute_url(),
    "projects:criteria": lambda c: reverse("projects:criteria"),
    "projects:api_projects": lambda c: reverse("projects:api_projects"),
    "projects:projects_csv": lambda c: reverse("projects:projects_csv"),
    "infrastructure:resource_list": lambda c: reverse("infrastructure:resource_list"),
}
# Not cached, but absolute links all the same.
OTHER_PAGES: dict[str, Callable[[dict], str]] = {"portal:news_feed": lambda c: reverse("portal:news_feed")}


def _url_names(patterns, namespace: str = "") -> Iterator[tuple[str, object]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}", pattern.callback


def test_the_list_of_cached_pages_is_complete():
    cached_wrapper = cached_public_page(areas=[])(lambda request: None).__code__
    cached = {name for name, view in _url_names(get_resolver().url_patterns) if getattr(view, "__code__", None) is cached_wrapper}
    assert cached == set(CACHED_PAGES)


@pytest.mark.parametrize("language", ["en", "sl"])
@pytest.mark.parametrize("name", [*CACHED_PAGES, *OTHER_PAGES])
def test_nothing_in_a_page_comes_from_the_requests_host_or_scheme(client, content, name, language):
    with translation.override(language):
        path = {**CACHED_PAGES, **OTHER_PAGES}[name](content)
    forged = Client().get(path, **FORGED)
    visitor = client.get(path)  # served from the cache the forged request filled, where cached
    for response in (forged, visitor):
        assert response.status_code == 200
        body = response.content.decode("utf-8-sig")
        assert "127.0.0.1:6666" not in body and "testserver" not in body and "example.com" not in body


def _feed_links(response) -> list[str]:
    root = ET.fromstring(response.content)
    return [link.get("href") for link in root.iter(f"{ATOM}link")] + [node.text for node in root.iter(f"{ATOM}id")]


@pytest.mark.parametrize("prefix", ["", "/sl"])
def test_atom_feed_links_come_from_site_url(client, content, prefix):
    response = client.get(f"{prefix}/news/feed/", **FORGED)
    assert sorted(_feed_links(response)) == [
        f"{SITE_URL}{prefix}/news/",  # the feed's id
        f"{SITE_URL}{prefix}/news/",  # its alternate link
        f"{SITE_URL}{prefix}/news/feed/",  # its self link
        f"{SITE_URL}{prefix}/news/spring/",  # the entry's id
        f"{SITE_URL}{prefix}/news/spring/",  # the entry's link
    ]
