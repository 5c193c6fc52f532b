"""Each public page says what it is to search engines and link previews (issue 12, item 8): its
own ``<meta name="description">`` in each language, Open Graph ``og:title``, ``og:description``,
``og:type``, ``og:url`` (absolute, from ``SITE_URL``, never from the request's ``Host``) and
``og:locale``; and the favicon (SVG, with a PNG for browsers without SVG icons), served from
static files."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.utils import translation

from tests.browser.pages import public_paths

pytestmark = pytest.mark.django_db

SITE_URL = "https://znanost.example.si"
META = re.compile(r'<meta (name|property)="([^"]+)" content="([^"]*)">')


def head(html: str) -> dict[str, list[str]]:
    """Every <meta name|property=… content=…> of the page, by name."""
    found: dict[str, list[str]] = {}
    for _kind, name, content in META.findall(html.split("</head>", 1)[0]):
        found.setdefault(name, []).append(unescape(content))
    return found


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = SITE_URL
    return SITE_URL


@pytest.fixture
def pages(seeded_with_demo, client, site_url) -> dict[str, dict[str, tuple[str, dict[str, list[str]]]]]:
    """Every public page the browser tests crawl, in both languages: {prefix: {path: (final path,
    meta)}}, a redirect followed (a page that moved counts once, where it now is)."""
    found: dict[str, dict[str, tuple[str, dict[str, list[str]]]]] = {}
    for prefix in ("", "/sl"):
        by_path = found.setdefault(prefix, {})
        for path in public_paths():
            response = client.get(prefix + path, follow=True)
            assert response.status_code in (200, 404), path
            final = response.request["PATH_INFO"]
            by_path[final] = (path, head(response.content.decode()))
    return found


@pytest.mark.parametrize("prefix", ["", "/sl"])
def test_every_public_page_has_its_own_description(pages, prefix):
    descriptions: dict[str, str] = {}
    for final, (_path, meta) in pages[prefix].items():
        assert len(meta.get("description", [])) == 1, f"{final}: one <meta name=description>"
        description = meta["description"][0]
        assert len(description) >= 20, f"{final}: {description!r}"
        assert description not in descriptions, f"{final} and {descriptions.get(description)}: {description!r}"
        descriptions[description] = final


@pytest.mark.parametrize(("prefix", "locale", "alternate"), [("", "en_GB", "sl_SI"), ("/sl", "sl_SI", "en_GB")])
def test_every_public_page_has_open_graph_tags(pages, prefix, locale, alternate):
    for final, (_path, meta) in pages[prefix].items():
        for name in ("og:title", "og:description", "og:type", "og:url", "og:locale", "og:site_name"):
            assert len(meta.get(name, [])) == 1 and meta[name][0].strip(), f"{final}: {name}"
        assert meta["og:url"] == [SITE_URL + final], final
        assert meta["og:locale"] == [locale] and meta["og:locale:alternate"] == [alternate], final
        assert "·" not in meta["og:title"][0], f"{final}: the page's own title, without the site's name"


def test_descriptions_are_in_the_pages_language(pages):
    english, slovenian = pages[""], pages["/sl"]
    assert english["/events/"][1]["description"][0].startswith("Workshops, trainings")
    assert slovenian["/sl/events/"][1]["description"][0].startswith("Delavnice, usposabljanja")
    assert slovenian["/sl/about/"][1]["description"][0].endswith("dogodki in spletni seminarji.")


def test_a_description_made_from_the_title_reads_well(client, db):
    meta = head(client.get("/about/").content.decode())
    assert meta["description"] == [
        "About the network — the Citizen Science Network of Slovenian university and public libraries: "
        "partners, working groups, services, events and webinars."
    ]
    assert meta["og:title"] == ["About the network"]
    assert head(client.get("/").content.decode())["og:title"] == ["Citizen Science Network"]


def test_og_url_comes_from_site_url_never_from_the_host(client, db, site_url):
    response = client.get("/sl/events/?when=past", HTTP_HOST="127.0.0.1:6666", HTTP_X_FORWARDED_PROTO="http")
    html = response.content.decode()
    assert head(html)["og:url"] == [SITE_URL + "/sl/events/"]
    assert "127.0.0.1:6666" not in html


def test_record_pages_describe_the_record(client, db, site_url):
    from tests.network.factories import PartnerFactory

    partner = PartnerFactory(name="Kranj Library", description="The public library of Kranj & its region.")
    with translation.override("en"):
        path = partner.get_absolute_url()
    meta = head(client.get(path).content.decode())
    assert meta["description"] == ["The public library of Kranj & its region."]
    assert meta["og:description"] == meta["description"]
    assert meta["og:title"] == ["Kranj Library"]


def test_the_favicon_is_linked_and_served(client, db):
    html = client.get("/").content.decode()
    links = dict(re.findall(r'<link rel="icon" href="([^"]+)"[^>]* type="([^"]+)">', html))
    assert set(links.values()) == {"image/svg+xml", "image/png"}
    assert re.search(r'<link rel="apple-touch-icon" href="[^"]+\.png">', html)
    for href, content_type in links.items():
        response = client.get(href)
        assert response.status_code == 200 and response["Content-Type"].startswith(content_type), href
    svg = b"".join(client.get(next(h for h, t in links.items() if t == "image/svg+xml")).streaming_content)
    assert svg.startswith(b"<svg") and b"<script" not in svg
