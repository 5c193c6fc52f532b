"""News, the home page and the about page in both languages: Slovenian values on /sl/ pages,
English on / pages, a value written only in the other language inside an element with that
language's ``lang`` (WCAG 3.1.2); Slovenian dates with the genitive month; the Atom feed in the
URL's language with fallbacks tagged ``xml:lang``."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from network.models import NetworkContact
from portal.models import NewsItem
from tests.events.factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def main(html: str) -> str:
    """The page's ``<main>``: the header's language switcher holds ``lang`` attributes of its own."""
    return html[html.index("<main"):html.index("</main>")]


def path_of(obj) -> str:
    """The English path (a request to /sl/ leaves Slovenian active in the test's thread)."""
    with translation.override("en"):
        return obj.get_absolute_url()


def news(slug: str, **values) -> NewsItem:
    return NewsItem.objects.create(slug=slug, published_on=datetime.date(2024, 3, 4), **values)


@pytest.fixture
def bilingual_item():
    return news(
        "bilingual",
        title="Network meeting", title_sl="Srečanje mreže",
        category="Important", category_sl="Pomembno",
        summary="Partners met in Ljubljana.", summary_sl="Partnerji so se srečali v Ljubljani.",
        body="We *met*.", body_sl="Srečali *smo* se.",
    )


@pytest.fixture
def english_item():
    return news("english", title="New partners", category="Announcement", summary="Three joined.",
                body="Welcome **all**.")


def test_slovenian_values_on_sl_pages_and_english_on_english_pages(client, bilingual_item):
    listing = main(client.get("/sl/news/").content.decode())
    assert f'<a href="/sl{path_of(bilingual_item)}">Srečanje mreže</a>' in listing
    assert '<span class="tag">Pomembno</span>' in listing
    assert "<p>Partnerji so se srečali v Ljubljani.</p>" in listing
    assert 'lang="en"' not in listing and "Important" not in listing

    detail = client.get("/sl" + path_of(bilingual_item)).content.decode()
    assert "<h1>Srečanje mreže</h1>" in detail and detail.count("<h1") == 1
    assert "<title>Srečanje mreže · " in detail
    assert '<meta name="description" content="Novica: Partnerji so se srečali v Ljubljani.">' in detail
    assert "<p>Srečali <em>smo</em> se.</p>" in main(detail) and 'lang="en"' not in main(detail)

    english = main(client.get("/news/").content.decode())
    assert ">Network meeting</a>" in english and '<span class="tag">Important</span>' in english
    assert 'lang="sl"' not in english and "Pomembno" not in english


def test_english_only_news_on_sl_pages_is_marked_english(client, english_item):
    listing = main(client.get("/sl/news/").content.decode())
    assert f'<a href="/sl{path_of(english_item)}" lang="en">New partners</a>' in listing
    assert '<span class="tag" lang="en">Announcement</span>' in listing
    assert '<p lang="en">Three joined.</p>' in listing

    detail = client.get("/sl" + path_of(english_item)).content.decode()
    assert '<h1 lang="en">New partners</h1>' in detail and detail.count("<h1") == 1
    assert '<div lang="en"><p>Welcome <strong>all</strong>.</p></div>' in main(detail)
    assert "<title>New partners · " in detail  # attributes: the plain value
    assert '<meta name="description" content="Novica: Three joined.">' in detail


def test_slovenian_only_news_on_english_pages_is_marked_slovenian(client):
    item = news("slovenian", title="", title_sl="Nova spletna stran", category_sl="Obvestilo",
                summary_sl="Prenovili smo stran.", body_sl="Dobrodošli.")
    listing = main(client.get("/news/").content.decode())
    assert 'lang="sl">Nova spletna stran</a>' in listing
    assert '<span class="tag" lang="sl">Obvestilo</span>' in listing
    assert '<p lang="sl">Prenovili smo stran.</p>' in listing
    detail = main(client.get(path_of(item)).content.decode())
    assert '<h1 lang="sl">Nova spletna stran</h1>' in detail
    assert '<div lang="sl"><p>Dobrodošli.</p></div>' in detail


def test_related_event_title_is_marked(client):
    event = EventFactory(title="Bird count")
    item = news("related", title="Count with us", title_sl="Štejte z nami", body="x", body_sl="x",
                related_event=event)
    detail = main(client.get("/sl" + path_of(item)).content.decode())
    assert '<h2 id="related-event-title" lang="en">Bird count</h2>' in detail


def test_dates_in_slovenian_use_the_genitive_month(client, english_item):
    assert "4. marca 2024" in client.get("/sl/news/").content.decode()
    assert "4. marca 2024" in client.get("/sl" + path_of(english_item)).content.decode()
    assert "4 March 2024" in client.get("/news/").content.decode()


def test_home_page_marks_fallbacks(client, bilingual_item, english_item):
    event = EventFactory(title="Bird count")
    SessionFactory(event=event)
    both = EventFactory(title="Soil workshop", title_sl="Delavnica o tleh")
    SessionFactory(event=both)
    home = main(client.get("/sl/").content.decode())
    assert f'<a href="/sl{path_of(event)}" lang="en">Bird count</a>' in home
    assert f'<a href="/sl{path_of(both)}">Delavnica o tleh</a>' in home
    assert f'<a href="/sl{path_of(english_item)}" lang="en">New partners</a>' in home
    assert '<span class="tag" lang="en">Announcement</span>' in home
    assert f'<a href="/sl{path_of(bilingual_item)}">Srečanje mreže</a>' in home
    assert '<span class="tag">Pomembno</span>' in home
    english = main(client.get("/").content.decode())
    assert 'lang="sl"' not in english and ">Soil workshop</a>" in english


def test_about_page_marks_the_contact_blocks_fallbacks(client):
    NetworkContact.objects.create(
        coordinator_name="Ana Novak", coordinator_title="CS Network Coordinator",
        coordinator_organisation="Central Technical Library",
        coordinator_organisation_sl="Centralna tehniška knjižnica",
    )
    about = main(client.get("/sl/about/").content.decode())
    assert '<dt><span lang="en">CS Network Coordinator</span></dt>' in about
    assert "<dd>Ana Novak, Centralna tehniška knjižnica</dd>" in about
    english = main(client.get("/about/").content.decode())
    assert "<dt>CS Network Coordinator</dt>" in english
    assert "<dd>Ana Novak, Central Technical Library</dd>" in english


def test_feed_in_slovenian_with_fallbacks_tagged(client, bilingual_item, english_item):
    response = client.get("/sl/news/feed/")
    assert response.status_code == 200 and "atom" in response["Content-Type"]
    root = ET.fromstring(response.content)
    assert root.get(XML_LANG) == "sl"
    assert root.find(f"{ATOM}title").text == "Mreža za občansko znanost — novice"
    entries = {e.find(f"{ATOM}id").text: e for e in root.findall(f"{ATOM}entry")}
    assert len(entries) == 2
    slovenian = next(e for e in entries.values() if e.find(f"{ATOM}title").text == "Srečanje mreže")
    assert slovenian.find(f"{ATOM}title").get(XML_LANG) is None
    assert "Srečali <em>smo</em> se." in slovenian.find(f"{ATOM}summary").text
    assert slovenian.find(f"{ATOM}category").get("term") == "Pomembno"
    assert slovenian.find(f"{ATOM}link").get("href").endswith(f"/sl{path_of(bilingual_item)}")
    english = next(e for e in entries.values() if e.find(f"{ATOM}title").text == "New partners")
    assert english.find(f"{ATOM}title").get(XML_LANG) == "en"
    assert english.find(f"{ATOM}summary").get(XML_LANG) == "en"
    assert english.find(f"{ATOM}category").get(XML_LANG) == "en"
    assert root.find(f"{ATOM}link[@rel='self']").get("href").endswith("/sl/news/feed/")


def test_english_feed_is_unchanged_for_english_content(client, bilingual_item, english_item):
    root = ET.fromstring(client.get("/news/feed/").content)
    assert root.get(XML_LANG) == "en"
    titles = [e.find(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert sorted(t.text for t in titles) == ["Network meeting", "New partners"]
    assert all(t.get(XML_LANG) is None for t in titles)
    assert not re.search(rb"xml:lang=\"sl\"", client.get("/news/feed/").content)
