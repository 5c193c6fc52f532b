"""News items from a blind test (fixtures/news/blind_*.txt): fact lines without a final full
stop, names that end a sentence, "Join our …"/"<Kind>: …" headlines, a zone after "p.m." and
organisers named by an "Organisers:" fact or as the subject of "… invite"."""

from __future__ import annotations

import datetime
import zoneinfo
from pathlib import Path

import pytest

from events.models import Event
from seeds.loader import load_paths
from seeds.parser import ParsedSession, event_title_from_headline, parse_news_item

NEWS = Path(__file__).parent / "fixtures" / "news"
WEBINAR_SERIES = NEWS / "blind_webinar_series.txt"
WORKSHOP = NEWS / "blind_workshop.txt"


def _at(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts)


def test_webinar_series_reads_its_fact_lines_and_ends_names_at_a_full_stop():
    item = parse_news_item(WEBINAR_SERIES.read_text("utf-8"))
    # CET is not the Baltic countries' offset: no country zone, the writer uses the site's.
    cet = dict(zone_label="CET", utc_offset_minutes=60, time_zone="")
    assert item.sessions == (
        ParsedSession(_at(2024, 3, 4, 10), None, **cet),
        ParsedSession(_at(2024, 3, 11, 10), None, **cet),  # "at the same time"
        ParsedSession(_at(2024, 3, 18, 10), None, **cet),
    )
    assert item.duration_minutes == 90  # "Duration: 1.5 hours" gives each session its end
    assert item.registration_deadline == datetime.date(2024, 2, 28)
    assert item.capacity == 80
    assert item.platform == "Microsoft Teams"
    assert item.languages == ("en", "lt")
    assert item.kind == "webinar"
    assert item.event_title == "Citizen science in public libraries"
    assert item.organisations == (
        "Vilnius University Library",
        "National Library of Estonia",
        "Latvian Library Association",
    )
    assert "Read more" not in item.body


def test_workshop_reads_a_zone_after_pm_and_organisers_from_facts_and_subject():
    item = parse_news_item(WORKSHOP.read_text("utf-8"))
    ljubljana = dict(utc_offset_minutes=120, time_zone="Europe/Ljubljana")
    assert item.sessions == (
        ParsedSession(_at(2024, 5, 12, 14), _at(2024, 5, 12, 15, 30), zone_label="EET", **ljubljana),
        ParsedSession(_at(2024, 5, 19, 14), _at(2024, 5, 19, 15, 30), zone_label="EET", **ljubljana),
        ParsedSession(_at(2024, 6, 2, 9), _at(2024, 6, 2, 12), zone_label="CEST", **ljubljana),
    )
    assert item.registration_deadline == datetime.date(2024, 5, 3)
    assert item.capacity == 25
    assert item.platform == ""  # a venue, no video platform
    assert item.languages == ("sl", "en")
    assert item.kind == "workshop"
    assert item.event_title == "Counting pollinators with your smartphone"
    assert item.organisations == ("Slovenian Museum of Natural History", "Slobees Society")
    assert "Share this" not in item.body


def _news(body: str, title: str = "Spring meeting") -> str:
    return f"{title}\n\nNews | 2025-03-01\n\n{body}\n"


def test_caption_facts_stay_debris_and_short_facts_are_kept():
    item = parse_news_item(_news("We meet online.\n\nPhoto: Jane Roe\n\nPlatform: Webex\n\nImage: a beehive"))
    assert item.facts == {"Platform": "Webex"}
    assert item.platform == "Webex"
    assert "Photo" not in item.body and "Image" not in item.body


@pytest.mark.parametrize(
    ("headline", "title"),
    [
        ("Join us for an online training about soil sampling", "Soil sampling"),
        ("Register for the autumn conference on river monitoring", "River monitoring"),
        ("Online seminar – reading lichens", "Reading lichens"),
        ("Webinar series: bats in the attic", "Bats in the attic"),
        ("Spring conference 2025", "Spring conference 2025"),
        ("Volunteers: what we learned", "Volunteers: what we learned"),
    ],
)
def test_event_title_drops_lead_phrases(headline, title):
    assert event_title_from_headline(headline) == title


@pytest.mark.parametrize(
    ("body", "organisations"),
    [
        (
            "The Tartu Nature House and the Estonian Naturalists' Society invite pupils to a course.",
            ("Tartu Nature House", "Estonian Naturalists' Society"),
        ),
        ("We invite pupils to a course. Participants hold their own data.", ()),
        (
            "Organised by St. Anne's Parish Library and the Latvian Library Association. It is free.",
            ("St. Anne's Parish Library", "Latvian Library Association"),
        ),
    ],
)
def test_organisers_from_subjects_and_lists(body, organisations):
    assert parse_news_item(_news(body)).organisations == organisations


def test_organisers_fact_drops_glosses():
    item = parse_news_item(_news("A talk.\n\nOrganizers: Bee Club (Ljubljana); the Green Guild – a society"))
    assert item.organisations == ("Bee Club", "Green Guild")


@pytest.mark.django_db
def test_both_blind_items_load_twice_to_sessions_with_ends():
    first = load_paths([WEBINAR_SERIES, WORKSHOP])
    assert first.created["events.Session"] == 6
    second = load_paths([WEBINAR_SERIES, WORKSHOP])
    assert second.total_created == 0 and second.total_updated == 0

    series = Event.objects.get(title="Citizen science in public libraries")
    assert series.webinar.platform == "Microsoft Teams"
    assert [(s.end - s.start) for s in series.sessions.all()] == [datetime.timedelta(minutes=90)] * 3
    assert sorted(series.organisers.values_list("name", flat=True)) == [
        "Latvian Library Association",
        "National Library of Estonia",
        "Vilnius University Library",
    ]
    workshop = Event.objects.get(title="Counting pollinators with your smartphone")
    assert workshop.kind == Event.Kind.WORKSHOP
    last = workshop.sessions.order_by("start").last()
    assert last.start == datetime.datetime(2024, 6, 2, 9, tzinfo=zoneinfo.ZoneInfo("Europe/Ljubljana"))
    assert {s.capacity for s in workshop.sessions.all()} == {25}
