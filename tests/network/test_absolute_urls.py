"""Absolute URLs in /api/partners/, /partners.csv and a partner's JSON-LD come from SITE_URL, never
from the request (issue 16, finding 6).

The attack: right after a change (a new content version, so nothing is cached), one request with
a forged ``Host`` or ``X-Forwarded-Proto`` renders the page and the page cache stores it for every
visitor, who then gets the forged host in every link for up to ten minutes."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db

SITE_URL = "http://testserver"
FORGED_HOST = {"HTTP_HOST": "127.0.0.1:6666"}  # 127.0.0.1 is in ALLOWED_HOSTS: the port is not checked
FORGED_PROTO = {"HTTP_X_FORWARDED_PROTO": "https"}  # trusted as the proxy's word (SECURE_PROXY_SSL_HEADER)
FORGERIES = {"host": FORGED_HOST, "proto": FORGED_PROTO, "host and proto": {**FORGED_HOST, **FORGED_PROTO}}


def _api_urls(response) -> list[str]:
    return [row["url"] for row in json.loads(response.content)["results"]]


def _csv_urls(response) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [row["url"] for row in rows]


def _json_ld_urls(response) -> list[str]:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    assert block, "the partner page carries no JSON-LD"
    return [json.loads(block.group(1))["url"]]


PAGES = {
    "api": (lambda partner: reverse("network:api_partners"), _api_urls),
    "csv": (lambda partner: reverse("network:partners_csv"), _csv_urls),
    "json-ld": (lambda partner: partner.get_absolute_url(), _json_ld_urls),
}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


@pytest.mark.parametrize("forgery", FORGERIES.values(), ids=FORGERIES.keys())
@pytest.mark.parametrize("page", PAGES.keys())
def test_a_forged_request_right_after_a_change_poisons_no_later_visitor(
    client, page, forgery, django_capture_on_commit_callbacks
):
    path_of, urls_in = PAGES[page]
    with django_capture_on_commit_callbacks(execute=True):  # the change: the directory's version goes up
        partner = PartnerFactory(name="Kranj Library", slug="kranj-library")
    expected = f"{SITE_URL}/partners/kranj-library/"

    forged = Client().get(path_of(partner), **forgery)  # the attacker's request renders and fills the cache
    visitor = client.get(path_of(partner))  # a later visitor is served from the cache

    assert forged.status_code == visitor.status_code == 200
    assert urls_in(visitor) == [expected]
    assert b"127.0.0.1:6666" not in visitor.content and b"https://testserver" not in visitor.content
    assert urls_in(forged) == [expected]


@pytest.mark.parametrize("page", PAGES.keys())
def test_links_name_the_configured_site_whatever_host_the_request_came_to(client, settings, page):
    settings.SITE_URL = "https://znanost.example.si"
    partner = PartnerFactory(name="Kranj Library", slug="kranj-library")
    path_of, urls_in = PAGES[page]
    response = client.get(path_of(partner), HTTP_HOST="localhost")
    assert urls_in(response) == ["https://znanost.example.si/partners/kranj-library/"]
