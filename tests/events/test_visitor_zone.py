"""Times in the session's zone with its UTC offset, one format per language (issue 12, item 3):
"Monday, 14 December 2026, 10:00–11:30 CET (UTC+1)", Slovenian "ponedeljek, 14. decembra 2026,
10.00–11.30 CET (UTC+1)" on the home page, the lists and the event and webinar pages; and what
the visitor-time script needs (its words in the page's language, the script itself), which adds
nothing to a page without JavaScript. The browser side is tests/browser/test_visitor_zone.py."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string
from django.utils import translation

from core.zones import utc_offset, zone_label
from events.listing import when_text
from tests.events.factories import SessionFactory, WebinarFactory

pytestmark = pytest.mark.django_db
LJUBLJANA = ZoneInfo("Europe/Ljubljana")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=LJUBLJANA)


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def webinar():
    webinar = WebinarFactory()
    SessionFactory(
        event=webinar.event,
        start=datetime(2026, 12, 14, 10, 0, tzinfo=LJUBLJANA),
        end=datetime(2026, 12, 14, 11, 30, tzinfo=LJUBLJANA),
    )
    return webinar


def path_of(obj) -> str:
    with translation.override("en"):
        return obj.get_absolute_url()


def text(html: str) -> str:
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", "", main).split())


@pytest.mark.parametrize(
    ("zone", "moment", "label"),
    [
        ("Europe/Ljubljana", datetime(2026, 12, 14, 10), "CET (UTC+1)"),
        ("Europe/Ljubljana", datetime(2026, 6, 14, 10), "CEST (UTC+2)"),
        ("Europe/Riga", datetime(2026, 12, 14, 10), "EET (UTC+2)"),
        ("America/New_York", datetime(2026, 12, 14, 10), "EST (UTC-5)"),
        ("Asia/Kolkata", datetime(2026, 12, 14, 10), "IST (UTC+5:30)"),
        ("Asia/Dubai", datetime(2026, 12, 14, 10), "UTC+4"),  # no abbreviation: the offset alone
        ("UTC", datetime(2026, 12, 14, 10), "UTC"),
    ],
)
def test_zone_labels(zone, moment, label):
    assert zone_label(moment.replace(tzinfo=ZoneInfo(zone))) == label


def test_offsets_west_of_utc_and_with_minutes():
    assert utc_offset(datetime(2026, 1, 1, tzinfo=ZoneInfo("America/St_Johns"))) == "UTC-3:30"


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("", "Monday, 14 December 2026, 10:00–11:30 CET (UTC+1)"),
        ("/sl", "ponedeljek, 14. decembra 2026, 10.00–11.30 CET (UTC+1)"),
    ],
)
def test_a_session_reads_the_same_on_every_page_with_its_offset(client, webinar, prefix, expected):
    for page in ["/", "/events/", "/webinars/", path_of(webinar.event), path_of(webinar)]:
        response = client.get(prefix + page, follow=True)
        assert expected in text(response.content.decode()), page


def test_the_plain_text_matches_the_pages(webinar):
    session = webinar.event.sessions.get()
    with translation.override("sl"):
        assert when_text(session) == "ponedeljek, 14. decembra 2026, 10.00–11.30 CET (UTC+1)"
    with translation.override("en"):
        assert when_text(session) == "Monday, 14 December 2026, 10:00–11:30 CET (UTC+1)"


def test_a_session_over_midnight_gives_the_end_its_date():
    session = SessionFactory(
        start=datetime(2026, 12, 14, 22, 0, tzinfo=LJUBLJANA), end=datetime(2026, 12, 15, 1, 0, tzinfo=LJUBLJANA)
    )
    with translation.override("en"):
        html = render_to_string("events/_when.html", {"session": session})
        assert when_text(session) == "Monday, 14 December 2026, 22:00–Tuesday, 15 December 2026, 01:00 CET (UTC+1)"
    assert when_text(session) in " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_times_are_marked_up_in_the_sessions_zone(webinar):
    session = webinar.event.sessions.get()
    session.time_zone = "Europe/Riga"
    with translation.override("en"):
        html = render_to_string("events/_when.html", {"session": session})
    assert '<time datetime="2026-12-14T11:00:00+02:00">Monday, 14 December 2026, 11:00</time>' in html
    assert '<time datetime="2026-12-14T12:30:00+02:00">12:30</time> EET (UTC+2)' in html


@pytest.mark.parametrize(
    ("language", "words", "separator"),
    [
        ("en", ("{time} your time ({zone})", "next day", "previous day"), ":"),
        ("sl", ("{time} po vašem času ({zone})", "naslednji dan", "prejšnji dan"), "."),
    ],
)
def test_the_script_gets_its_words_in_the_pages_language(webinar, language, words, separator):
    session = webinar.event.sessions.get()
    with translation.override(language):
        html = render_to_string("events/_when.html", {"session": session})
    visitor, next_day, previous_day = words
    assert f'data-visitor-time="{visitor}"' in html
    assert f'data-next-day="{next_day}"' in html and f'data-previous-day="{previous_day}"' in html
    assert f'data-time-separator="{separator}"' in html


def test_pages_load_the_script_from_static_files_and_no_visitor_line_is_rendered(client, webinar):
    html = client.get(path_of(webinar.event)).content.decode()
    assert re.search(r'<script src="/static/js/local-time\.js" defer></script>', html)
    assert 'class="visitor-time"' not in html  # only the script adds it
    assert "<script>" not in html  # nothing inline (the CSP allows scripts from 'self' only)
    assert client.get("/static/js/local-time.js").status_code == 200
