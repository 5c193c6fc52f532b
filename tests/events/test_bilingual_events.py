"""Events and webinars in both languages: a Slovenian value shows on /sl/ pages as the page's own
text, an English one on / pages; a value written only in the other language is shown inside an
element with that language's ``lang`` (WCAG 3.1.2); JSON-LD, the API and calendar files carry
both languages or say which one a text is in; a session's time reads the same on every page."""

from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from events import calendar, services
from events.models import Event

from .factories import EventFactory, PartnerFactory, RegistrationFactory, SessionFactory, WebinarFactory

pytestmark = pytest.mark.django_db
LJUBLJANA = ZoneInfo("Europe/Ljubljana")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=LJUBLJANA)


@pytest.fixture(autouse=True)
def _before_the_sessions():
    """Every session below is upcoming."""
    with time_machine.travel(NOW, tick=False):
        yield


def main(html: str) -> str:
    """The page's ``<main>``: the header's language switcher holds ``lang`` attributes of its own."""
    return html[html.index("<main"):html.index("</main>")]


def text(html: str) -> str:
    """The page's text without tags, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def json_ld(html: str) -> dict:
    (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(raw)


def path_of(obj) -> str:
    """The English path (a request to /sl/ leaves Slovenian active in the test's thread)."""
    with translation.override("en"):
        return obj.get_absolute_url()


def manage_path(registration) -> str:
    with translation.override("en"):
        return reverse("events:manage_registration", kwargs={"token": services.manage_token(registration)})


@pytest.fixture
def bilingual_event():
    """An in-person event written in both languages, by a partner with a name in both."""
    event = EventFactory(
        title="Soil workshop", title_sl="Delavnica o tleh",
        summary="Dig and count earthworms.", summary_sl="Kopljemo in štejemo deževnike.",
        description="Bring **boots**.", description_sl="Prinesite **škornje**.",
        footnote="Coffee provided.", footnote_sl="Kava bo.",
        venue="Main hall", venue_sl="Velika dvorana",
        accessibility="Step-free entrance.", accessibility_sl="Vhod brez stopnic.",
        organising_project="Soil Watch", organising_project_sl="Opazovanje tal",
        mode=Event.Mode.IN_PERSON,
    )
    event.organisers.add(PartnerFactory(name="Central Technical Library", name_sl="Centralna tehniška knjižnica"))
    SessionFactory(event=event, start=datetime(2026, 12, 14, 10, 0, tzinfo=LJUBLJANA),
                   end=datetime(2026, 12, 14, 11, 30, tzinfo=LJUBLJANA))
    return event


@pytest.fixture
def english_event():
    """An event written only in English, organised and presented by a partner named only in English."""
    event = EventFactory(
        title="Bird count", summary="Count the birds in your garden.", description="Bring **binoculars**.",
        footnote="Weather permitting.", venue="City park", accessibility="Paths are gravel.",
        organising_project="Birds of Slovenia", presenters_note="With volunteers.", mode=Event.Mode.HYBRID,
    )
    partner = PartnerFactory(name="Bird Society")
    event.organisers.add(partner)
    event.presenters.add(partner)
    SessionFactory(event=event, start=datetime(2026, 12, 14, 10, 0, tzinfo=LJUBLJANA),
                   end=datetime(2026, 12, 14, 11, 30, tzinfo=LJUBLJANA))
    return event


# --- Pages ---------------------------------------------------------------------------------


def test_slovenian_values_on_sl_pages_and_english_on_english_pages(client, bilingual_event):
    sl = client.get("/sl" + path_of(bilingual_event)).content.decode()
    content = main(sl)
    assert "<h1>Delavnica o tleh</h1>" in content and sl.count("<h1") == 1
    assert "<title>Delavnica o tleh · " in sl
    assert '<meta name="description" content="Kopljemo in štejemo deževnike.">' in sl
    for value in ("Kopljemo in štejemo deževnike.", "<strong>škornje</strong>", "Kava bo.", "Velika dvorana",
                  "Vhod brez stopnic.", "Opazovanje tal", "Centralna tehniška knjižnica"):
        assert value in content, value
    assert 'lang="en"' not in content and "Soil workshop" not in content and "Central Technical" not in content

    en = client.get(path_of(bilingual_event)).content.decode()
    content = main(en)
    assert "<h1>Soil workshop</h1>" in content and "<title>Soil workshop · " in en
    for value in ("Dig and count earthworms.", "<strong>boots</strong>", "Main hall", "Central Technical Library"):
        assert value in content, value
    assert 'lang="sl"' not in content and "Delavnica" not in content


def test_english_only_event_on_sl_pages_is_marked_english(client, english_event):
    html = client.get("/sl" + path_of(english_event)).content.decode()
    content = main(html)
    assert '<h1 lang="en">Bird count</h1>' in content and html.count("<h1") == 1
    assert '<p class="lead" lang="en">Count the birds in your garden.</p>' in content
    assert '<div lang="en"><p>Bring <strong>binoculars</strong>.</p>' in content
    assert '<aside class="muted" lang="en">' in content
    assert '<dd lang="en">City park</dd>' in content
    assert '<dd lang="en">Paths are gravel.</dd>' in content
    assert '<dd lang="en">Birds of Slovenia</dd>' in content
    assert '<span lang="en">Bird Society</span>' in content  # organisers and presenters
    assert '<span lang="en">With volunteers.</span>' in content
    # Attributes take the plain value: no markup in the title or the description.
    assert "<title>Bird count · " in html
    assert '<meta name="description" content="Count the birds in your garden.">' in html
    # On the English page the same texts are the page's own.
    english = main(client.get(path_of(english_event)).content.decode())
    assert "<h1>Bird count</h1>" in english and 'lang="en"' not in english


def test_slovenian_only_event_on_english_pages_is_marked_slovenian(client):
    event = EventFactory(title="", title_sl="Štetje ptic", summary="", summary_sl="Preštejte ptice na vrtu.")
    event.organisers.add(PartnerFactory(name="", name_sl="Društvo za opazovanje ptic"))
    SessionFactory(event=event)
    html = client.get(path_of(event)).content.decode()
    content = main(html)
    assert '<h1 lang="sl">Štetje ptic</h1>' in content
    assert '<p class="lead" lang="sl">Preštejte ptice na vrtu.</p>' in content
    assert '<span lang="sl">Društvo za opazovanje ptic</span>' in content
    assert "<title>Štetje ptic · " in html
    listing = main(client.get(reverse("events:event_list")).content.decode())
    assert 'lang="sl">Štetje ptic</a>' in listing and '<span lang="sl">Društvo za opazovanje ptic</span>' in listing


def test_event_list_marks_fallbacks(client, bilingual_event, english_event):
    html = main(client.get("/sl/events/").content.decode())
    assert ">Delavnica o tleh</a>" in html and 'lang="en">Delavnica' not in html
    assert '<p>Kopljemo in štejemo deževnike.</p>' in html
    assert f'<a href="/sl{path_of(english_event)}" lang="en">Bird count</a>' in html
    assert '<p lang="en">Count the birds in your garden.</p>' in html
    assert '<span lang="en">Bird Society</span>' in html
    assert "Centralna tehniška knjižnica" in html


def test_webinar_pages_mark_fallbacks(client, django_capture_on_commit_callbacks):
    webinar = WebinarFactory(event__title="Data literacy", event__summary="Reading charts.",
                             event__organising_project="Open Data")
    webinar.event.presenters.add(PartnerFactory(name="Data Lab"))
    SessionFactory(event=webinar.event)
    listing = main(client.get("/sl/webinars/").content.decode())
    assert 'lang="en">Data literacy</a>' in listing and '<p lang="en">Reading charts.</p>' in listing
    assert '<span class="tag" lang="en">Open Data</span>' in listing
    detail = client.get("/sl" + path_of(webinar)).content.decode()
    assert '<h1 lang="en">Data literacy</h1>' in detail and detail.count("<h1") == 1
    assert '<span lang="en">Data Lab</span>' in main(detail)

    webinar.event.title_sl = "Podatkovna pismenost"
    with django_capture_on_commit_callbacks(execute=True):  # the edit makes the cached page stale
        webinar.event.save()
    edited = client.get("/sl" + path_of(webinar)).content.decode()
    assert "<h1>Podatkovna pismenost</h1>" in edited


def test_registration_result_pages_mark_the_title(client, english_event):
    registered = client.get(f"/sl/events/{english_event.slug}/registered/").content.decode()
    assert '<span lang="en">Bird count</span>' in main(registered)
    registration = RegistrationFactory(session=english_event.sessions.get(), language="sl")
    manage = client.get("/sl" + manage_path(registration)).content.decode()
    assert f'<a href="/sl{path_of(english_event)}" lang="en">Bird count</a>' in main(manage)


# --- One time format per language on every page ------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("/sl", "ponedeljek, 14. decembra 2026, 10.00–11.30 CET (UTC+1)"),
        ("", "Monday, 14 December 2026, 10:00–11:30 CET (UTC+1)"),
    ],
)
def test_a_session_reads_the_same_on_every_page(client, prefix, expected):
    webinar = WebinarFactory()
    session = SessionFactory(event=webinar.event, start=datetime(2026, 12, 14, 10, 0, tzinfo=LJUBLJANA),
                             end=datetime(2026, 12, 14, 11, 30, tzinfo=LJUBLJANA))
    registration = RegistrationFactory(session=session)
    pages = [
        "/",
        "/events/",
        path_of(webinar.event),
        path_of(webinar),
        manage_path(registration),
    ]
    for page in pages:
        html = client.get(prefix + page).content.decode()
        assert expected in text(main(html)), page


def test_a_session_in_another_time_zone_reads_in_its_own_on_the_home_page(client):
    """The home page showed the start in the site's time zone beside the session's zone name."""
    new_york = ZoneInfo("America/New_York")
    session = SessionFactory(time_zone="America/New_York", start=datetime(2026, 12, 14, 10, 0, tzinfo=new_york),
                             end=datetime(2026, 12, 14, 11, 30, tzinfo=new_york))
    expected = "Monday, 14 December 2026, 10:00–11:30 EST (UTC-5)"
    assert expected in text(main(client.get("/").content.decode()))
    assert expected in text(main(client.get(path_of(session.event)).content.decode()))


# --- JSON-LD ---------------------------------------------------------------------------------


def test_json_ld_in_the_page_language_with_names_in_both(client, bilingual_event):
    data = json_ld(client.get("/sl" + path_of(bilingual_event)).content.decode())
    assert data["name"] == [
        {"@value": "Delavnica o tleh", "@language": "sl"},
        {"@value": "Soil workshop", "@language": "en"},
    ]
    assert data["description"] == "Kopljemo in štejemo deževnike."
    assert data["inLanguage"] == bilingual_event.language  # the language the event is held in
    assert data["location"]["name"] == "Velika dvorana"
    assert data["organizer"][0]["name"][0] == {"@value": "Centralna tehniška knjižnica", "@language": "sl"}
    assert data["url"].endswith(f"/sl{path_of(bilingual_event)}")

    english = json_ld(client.get(path_of(bilingual_event)).content.decode())
    assert english["name"][0] == {"@value": "Soil workshop", "@language": "en"}
    assert english["description"] == "Dig and count earthworms."


def test_json_ld_tags_a_fallback_with_its_language(client, english_event):
    data = json_ld(client.get("/sl" + path_of(english_event)).content.decode())
    assert data["name"] == {"@value": "Bird count", "@language": "en"}
    assert data["description"] == {"@value": "Count the birds in your garden.", "@language": "en"}
    assert data["organizer"][0]["name"] == {"@value": "Bird Society", "@language": "en"}
    assert json_ld(client.get(path_of(english_event)).content.decode())["name"] == "Bird count"


# --- The API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/sl"])
def test_api_returns_both_languages(client, bilingual_event, english_event, prefix):
    events = {e["slug"]: e for e in client.get(prefix + "/api/events/").json()["events"]}
    both = events[bilingual_event.slug]
    assert (both["title"], both["title_sl"]) == ("Soil workshop", "Delavnica o tleh")
    assert (both["summary"], both["summary_sl"]) == ("Dig and count earthworms.", "Kopljemo in štejemo deževnike.")
    assert both["organisers"][0]["name"] == "Central Technical Library"
    assert both["organisers"][0]["name_sl"] == "Centralna tehniška knjižnica"
    english = events[english_event.slug]
    assert (english["title"], english["title_sl"], english["summary_sl"]) == ("Bird count", "", "")
    assert english["organisers"][0]["name_sl"] == ""


# --- Calendar files ------------------------------------------------------------------------


def vevent(ics: str | bytes):
    (item,) = Calendar.from_ical(ics).walk("VEVENT")
    return item


def test_invitation_in_the_registrants_language(bilingual_event, english_event):
    session = bilingual_event.sessions.get()
    slovenian = vevent(calendar.session_invitation(session, registration=RegistrationFactory(session=session,
                                                                                            language="sl")))
    assert str(slovenian["SUMMARY"]) == "Delavnica o tleh" and slovenian["SUMMARY"].params["LANGUAGE"] == "sl"
    assert str(slovenian["DESCRIPTION"]) == "Kopljemo in štejemo deževnike."
    assert str(slovenian["LOCATION"]) == "Velika dvorana"
    assert f"/sl{path_of(bilingual_event)}" in str(slovenian["URL"])
    assert str(slovenian["ORGANIZER"].params["CN"]) == "Mreža za občansko znanost"

    english = vevent(calendar.session_invitation(session, registration=RegistrationFactory(session=session,
                                                                                          language="en")))
    assert str(english["SUMMARY"]) == "Soil workshop" and english["SUMMARY"].params["LANGUAGE"] == "en"
    assert f"/sl{path_of(bilingual_event)}" not in str(english["URL"])

    # Not written in Slovenian: the English title, saying so.
    session = english_event.sessions.get()
    fallback = vevent(calendar.session_invitation(session, registration=RegistrationFactory(session=session,
                                                                                           language="sl")))
    assert str(fallback["SUMMARY"]) == "Bird count" and fallback["SUMMARY"].params["LANGUAGE"] == "en"
    assert fallback["DESCRIPTION"].params["LANGUAGE"] == "en"


def test_invitation_names_an_online_location_in_the_registrants_language():
    session = SessionFactory(event=EventFactory(mode=Event.Mode.ONLINE, venue=""))
    item = vevent(calendar.session_invitation(session, registration=RegistrationFactory(session=session,
                                                                                       language="sl")))
    assert str(item["LOCATION"]) == "Na spletu" and item["LOCATION"].params["LANGUAGE"] == "sl"


def test_public_calendar_in_the_urls_language(client, bilingual_event, english_event):
    slovenian = Calendar.from_ical(client.get("/sl/events/calendar.ics").content)
    summaries = {str(v["SUMMARY"]): v["SUMMARY"].params["LANGUAGE"] for v in slovenian.walk("VEVENT")}
    assert summaries == {"Delavnica o tleh": "sl", "Bird count": "en"}
    assert str(slovenian["X-WR-CALNAME"]) == "Mreža za občansko znanost"
    english = Calendar.from_ical(client.get("/events/calendar.ics").content)
    assert {str(v["SUMMARY"]) for v in english.walk("VEVENT")} == {"Soil workshop", "Bird count"}
