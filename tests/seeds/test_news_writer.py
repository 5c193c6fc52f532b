"""seeds.writers.news: the seed invitation becomes a news item linked to its webinar."""

import datetime
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings

from portal.models import NewsItem
from seeds.parser import parse_news_item
from seeds.writers.base import Report
from seeds.writers.news import body_markdown, write_news_item
from seeds.writers.prose import summary_of

pytestmark = pytest.mark.django_db
SEED = Path(settings.BASE_DIR) / "seeds" / "000_87500a816e81581a.txt"


@pytest.fixture
def parsed():
    return parse_news_item(SEED.read_text(encoding="utf-8"))


def test_writer_creates_the_news_item(parsed):
    write_news_item(parsed, source=SEED.name, report=Report())
    item = NewsItem.objects.get()
    assert item.title == "Invitation to participate in a webinar on promoting citizen science in universities"
    assert item.slug == "invitation-to-participate-in-a-webinar-on-promoting-citizen-science-in-universities"
    assert (item.category, item.published_on) == ("Important", datetime.date(2024, 3, 4))
    assert item.summary.startswith("What is citizen science and why should it be encouraged in universities?")
    assert len(item.summary) <= 300
    assert "- **Duration:** 90 minutes." in item.body
    assert "\\* BESPOC (Broad Engagement in Science, Point of Contact)" in item.body
    assert "Other news" not in item.body
    assert item.source == SEED.name


def test_body_markdown_renders_the_footnote_mark_literally(parsed):
    from core.markdown import render_markdown

    html = render_markdown(body_markdown(parsed))
    assert "BESPOC* prototype" in html and "<em>" not in html
    assert "<li><strong>Language:</strong> English.</li>" in html


def test_summary_of_is_first_sentences():
    second = "Second sentence is here and long enough, together with the first, to pass the minimum length."
    assert summary_of(f"Short one. {second} Third.\n\nNext paragraph.") == f"Short one. {second}"
    assert summary_of("Only one sentence.\n\nNext paragraph.") == "Only one sentence."
    assert len(summary_of("word " * 200)) <= 300


def test_second_run_keeps_a_coordinators_edit_and_does_not_duplicate(parsed):
    write_news_item(parsed, source=SEED.name, report=Report())
    NewsItem.objects.update(title="Edited by a coordinator")
    report = Report()
    write_news_item(parsed, source=SEED.name, report=report)
    assert NewsItem.objects.count() == 1
    assert NewsItem.objects.get().title == "Edited by a coordinator"
    assert report.total_created == 0


def test_load_seeds_links_the_webinar_and_shows_on_news_pages(seeded, client):
    item = NewsItem.objects.select_related("related_event").get()
    assert item.related_event is not None and item.related_event.kind == "webinar"
    html = client.get("/news/").content.decode()
    assert item.title in html and 'datetime="2024-03-04"' in html
    assert client.get(item.get_absolute_url()).status_code == 200
    root = ET.fromstring(client.get("/news/feed/").content)
    assert root.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title").text == item.title


def test_news_item_links_to_its_webinar(seeded, client):
    item = NewsItem.objects.select_related("related_event").get()
    html = client.get(item.get_absolute_url()).content.decode()
    assert f'href="{item.related_event.get_absolute_url()}"' in html
