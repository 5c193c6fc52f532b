"""webinars.demo: without the seed webinar it only says so; after the seed invitation became the
webinar series, load_demo adds three demo sessions, once."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from events.models import Session
from webinars import demo
from webinars.models import Webinar

pytestmark = pytest.mark.django_db

SEED = Path(settings.BASE_DIR) / "seeds" / "000_87500a816e81581a.txt"
UNIVERSITIES = {"University of Tartu", "TalTech", "University of Latvia", "Vytautas Magnus University",
                "Kaunas University of Technology"}


def test_demo_without_seed_prints_a_note():
    out = io.StringIO()
    demo.load(stdout=out)
    assert "No seed webinar" in out.getvalue() and not Session.objects.exists()


def test_seed_then_demo_gives_the_webinar_page_and_three_demo_sessions(client):
    call_command("load_seeds", str(SEED), stdout=io.StringIO())
    call_command("load_seeds", str(SEED), stdout=io.StringIO())
    webinar = Webinar.objects.select_related("event").get()
    event = webinar.event
    assert (webinar.duration_minutes, webinar.platform, event.language) == (90, "Zoom", "en")
    assert event.organising_project == "LibOCS" and "BESPOC" in event.footnote
    assert {p.name for p in event.presenters.all()} == UNIVERSITIES
    assert {p.name for p in event.organisers.all()} == UNIVERSITIES
    assert not event.sessions.exists()
    demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())
    sessions = list(event.sessions.select_related("meeting"))
    assert len(sessions) == 3 and all(s.is_demo and s.capacity == 100 for s in sessions)
    assert all(s.meeting.join_url.startswith("https://zoom.example/j/") for s in sessions)
    assert {s.local_start().hour for s in sessions} == {10}
    listing = client.get("/webinars/").content.decode()
    assert event.title in listing
    page = client.get(webinar.get_absolute_url()).content.decode()
    for text in ("90 minutes", "English", "Zoom", "LibOCS", *UNIVERSITIES):
        assert text in page
    assert "zoom.example" not in page
