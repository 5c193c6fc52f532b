"""News items that invite to events: dates, sessions, registration, platform, languages,
organisers, kind and title, from wordings the seed does not use (fixtures/news/)."""

from __future__ import annotations

import datetime
import zoneinfo
from pathlib import Path

import pytest

from events.models import Event, Session
from network.models import Partner
from seeds.loader import load_paths
from seeds.parser import ParsedSession, parse_news_item
from seeds.writers.base import Report
from webinars.models import Webinar

NEWS = Path(__file__).parent / "fixtures" / "news"
TRAININGS = NEWS / "trainings_invitation.txt"
WORKSHOP = NEWS / "workshop_invitation.txt"


def _at(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts)


def test_trainings_invitation_is_parsed():
    item = parse_news_item(TRAININGS.read_text("utf-8"))
    vilnius = dict(zone_label="EET", utc_offset_minutes=120, time_zone="Europe/Vilnius")
    assert item.sessions == (
        ParsedSession(_at(2025, 2, 3, 10), _at(2025, 2, 3, 11, 30), **vilnius),
        # "the second meeting follows on 10 February at the same time"
        ParsedSession(_at(2025, 2, 10, 10), _at(2025, 2, 10, 11, 30), **vilnius),
        ParsedSession(_at(2025, 2, 17, 14), _at(2025, 2, 17, 15, 30), **vilnius),
    )
    assert item.registration_deadline == datetime.date(2025, 1, 27)
    assert item.capacity == 25
    assert item.platform == "Microsoft Teams"
    assert item.languages == ("lt", "en")
    assert item.kind == "training"
    assert item.event_title == "Open research data in public libraries"
    assert item.organisations == (
        "Vilnius City Library", "Kaunas County Public Library", "Šiauliai University", "Society of Young Researchers",
    )


def test_workshop_invitation_is_parsed_with_dates_in_the_next_year():
    item = parse_news_item(WORKSHOP.read_text("utf-8"))  # published 2024-11-28, dates without a year
    ljubljana = dict(zone_label="UTC+1", utc_offset_minutes=60, time_zone="Europe/Ljubljana")
    assert item.sessions == (
        ParsedSession(_at(2025, 1, 14, 17), _at(2025, 1, 14, 19), **ljubljana),
        ParsedSession(_at(2025, 1, 21, 17), _at(2025, 1, 21, 19), **ljubljana),
    )
    assert item.registration_deadline == datetime.date(2025, 1, 10)
    assert item.capacity == 30
    assert item.platform == "Jitsi"
    assert item.languages == ("sl",)
    assert item.kind == "workshop"
    assert item.event_title == "Counting urban birds"
    assert item.organisations == (
        "City Library of Maribor", "Bird Watching Society of Slovenia", "Faculty of Natural Sciences",
    )


def _news(body: str, title: str = "Invitation to a webinar on soil", date: str = "2025-05-02") -> str:
    return f"{title}\n\nNews | {date}\n\n{body}\n"


def test_any_named_platform_not_a_determiner():
    item = parse_news_item(_news("The platform opens ten minutes early: we meet on the Edumeet platform."))
    assert item.platform == "Edumeet"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # No zone stated: the writer decides (the site's zone).
        ("It starts on 12 June 2025 at 9:30 am and ends at noon.", (_at(2025, 6, 12, 9, 30), None, "", None, "")),
        # A zone but no country: the offset only.
        ("Join us on June 12, 15:00-16:30 CEST.", (_at(2025, 6, 12, 15), _at(2025, 6, 12, 16, 30), "CEST", 120, "")),
        ("Meet on 2025-06-12, 18.00–19.00 (UTC-3).", (_at(2025, 6, 12, 18), _at(2025, 6, 12, 19), "UTC-3", -180, "")),
    ],
)
def test_times_and_zones(body, expected):
    (session,) = parse_news_item(_news(body)).sessions
    assert (session.start, session.end, session.zone_label, session.utc_offset_minutes, session.time_zone) == expected


def test_dates_without_times_and_deadlines_are_not_sessions():
    item = parse_news_item(_news("Applications are accepted until 30 May. The project began on 3 March 2024."))
    assert item.sessions == ()
    assert item.registration_deadline == datetime.date(2025, 5, 30)


def test_languages_from_a_phrase_and_titles_kept_when_not_an_invitation():
    item = parse_news_item(_news("The conference will be held in Estonian and Latvian.", title="Spring conference 2025"))
    assert item.languages == ("et", "lv")
    assert item.kind == "conference"
    assert item.event_title == "Spring conference 2025"


# ---------------------------------------------------------------------------------------------
# Loader: a fresh database, loaded twice
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_trainings_invitation_loads_twice_to_the_same_records():
    first = load_paths([TRAININGS])
    assert first.created["events.Session"] == 3
    counts = (Event.objects.count(), Session.objects.count(), Webinar.objects.count(), Partner.objects.count())
    second = load_paths([TRAININGS])
    assert second.total_created == 0 and second.total_updated == 0
    assert (Event.objects.count(), Session.objects.count(), Webinar.objects.count(), Partner.objects.count()) == counts

    event = Event.objects.get()
    assert event.title == "Open research data in public libraries"
    assert event.kind == Event.Kind.TRAINING
    assert event.language == Event.Language.MIXED
    assert event.description.endswith("Languages: Lithuanian, English.")
    assert event.webinar.platform == "Microsoft Teams"
    assert sorted(event.organisers.values_list("name", flat=True)) == [
        "Kaunas County Public Library", "Society of Young Researchers", "Vilnius City Library", "Šiauliai University",
    ]
    vilnius = zoneinfo.ZoneInfo("Europe/Vilnius")
    sessions = list(event.sessions.order_by("start"))
    assert [(s.local_start().replace(tzinfo=None), s.local_end().replace(tzinfo=None)) for s in sessions] == [
        (_at(2025, 2, 3, 10), _at(2025, 2, 3, 11, 30)),
        (_at(2025, 2, 10, 10), _at(2025, 2, 10, 11, 30)),
        (_at(2025, 2, 17, 14), _at(2025, 2, 17, 15, 30)),
    ]
    assert {s.time_zone for s in sessions} == {"Europe/Vilnius"}
    assert {s.capacity for s in sessions} == {25}
    assert {s.registration_closes_at for s in sessions} == {datetime.datetime(2025, 1, 28, tzinfo=vilnius)}


@pytest.mark.django_db
def test_a_coordinators_session_edits_survive_a_reload():
    load_paths([WORKSHOP])
    event = Event.objects.get()
    assert (event.kind, event.language, event.webinar.platform) == (Event.Kind.WORKSHOP, "sl", "Jitsi")
    first, second = event.sessions.order_by("start")
    moved = first.start + datetime.timedelta(hours=1)
    Session.objects.filter(pk=first.pk).update(start=moved, end=first.end + datetime.timedelta(hours=1), capacity=12)
    second.delete()
    Event.objects.filter(pk=event.pk).update(title="Urban birds (edited)")

    report = load_paths([WORKSHOP], report=Report())

    assert report.created.get("events.Session", 0) == 0
    (kept,) = Event.objects.get().sessions.all()
    assert (kept.start, kept.capacity) == (moved, 12)
    assert Event.objects.get().title == "Urban birds (edited)"
