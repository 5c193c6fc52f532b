"""/news/, /news/<slug>/ and /news/feed/ (Atom)."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from portal.models import NewsItem

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def news(n: int = 0, **kwargs) -> NewsItem:
    values = {
        "title": f"News item {n}",
        "slug": f"news-item-{n}",
        "category": "Important",
        "published_on": datetime.date(2024, 3, 4) - datetime.timedelta(days=n),
        "summary": f"Summary {n}.",
        "body": f"Body **{n}** <script>alert(1)</script>",
        **kwargs,
    }
    return NewsItem.objects.create(**values)


def test_list_shows_published_items_newest_first(client):
    news(1)
    news(0)
    news(2, is_published=False)
    news(3, published_on=datetime.date.today() + datetime.timedelta(days=3))
    response = client.get("/news/")
    html = response.content.decode()
    assert response.status_code == 200 and html.count("<h1") == 1
    assert html.index("News item 0") < html.index("News item 1")
    assert "News item 2" not in html and "News item 3" not in html
    assert 'datetime="2024-03-04"' in html


def test_list_query_count_does_not_grow(client, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    for n in range(3):
        news(n)
    with django_assert_max_num_queries(12) as few:
        first = client.get("/news/")
    with django_capture_on_commit_callbacks(execute=True):  # committed: the cached list is stale
        for n in range(3, 23):
            news(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/news/")
    # Rendered afresh, not the cached copy: a full page of 20 items, the newest first.
    assert first.content.decode().count("<h2><a href=") == 3
    html = response.content.decode()
    assert html.count("<h2><a href=") == 20
    assert ">News item 19</a>" in html and ">News item 20</a>" not in html


def test_detail_renders_sanitised_markdown(client):
    item = news(0)
    response = client.get(f"/news/{item.slug}/")
    html = response.content.decode()
    assert response.status_code == 200 and html.count("<h1") == 1
    assert "<strong>0</strong>" in html and "<script>alert(1)</script>" not in html


def test_unpublished_detail_is_404(client):
    item = news(0, is_published=False)
    assert client.get(f"/news/{item.slug}/").status_code == 404


def test_feed_parses_as_atom(client):
    news(0)
    news(1)
    news(2, is_published=False)
    response = client.get("/news/feed/")
    assert response.status_code == 200 and "atom" in response["Content-Type"]
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["News item 0", "News item 1"]
    assert entries[0].find(f"{ATOM}link").get("href").endswith("/news/news-item-0/")
    assert entries[0].find(f"{ATOM}category").get("term") == "Important"
    assert "<script>" not in entries[0].find(f"{ATOM}summary").text
