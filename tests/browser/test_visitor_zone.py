"""The visitor's own time (issue 12, item 3) in a real Chromium: a visitor in Riga sees a
Ljubljana session's time in their zone too, and the registration form records their zone; with
JavaScript off the page is complete in the session's zone, with no visitor line."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from tests.events.factories import SessionFactory, WebinarFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LJUBLJANA = ZoneInfo("Europe/Ljubljana")


@pytest.fixture
def webinar_path() -> str:
    webinar = WebinarFactory()
    SessionFactory(
        event=webinar.event,
        start=datetime(2031, 12, 15, 10, 0, tzinfo=LJUBLJANA),
        end=datetime(2031, 12, 15, 11, 30, tzinfo=LJUBLJANA),
        capacity=30,
    )
    with translation.override("en"):
        return webinar.get_absolute_url()


@pytest.fixture
def visit(browser, live_server):
    """``visit(path, **context options)``: a page in a fresh browser context (closed afterwards)."""
    contexts = []

    def open_page(path: str, **options):
        context = browser.new_context(base_url=live_server.url, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(path)
        return page

    yield open_page
    for context in contexts:
        context.close()


def when_line(page) -> str:
    return " ".join(page.locator(".session-list li").first.inner_text().split())


@pytest.mark.parametrize(
    ("prefix", "session_time", "visitor_time"),
    [
        ("", "Monday, 15 December 2031, 10:00–11:30 CET (UTC+1)", "· 11:00–12:30 your time (EET)"),
        ("/sl", "ponedeljek, 15. decembra 2031, 10.00–11.30 CET (UTC+1)", "· 11.00–12.30 po vašem času (EET)"),
    ],
)
def test_a_visitor_in_riga_sees_their_own_time_and_the_form_records_their_zone(
    visit, webinar_path, prefix, session_time, visitor_time
):
    page = visit(prefix + webinar_path, timezone_id="Europe/Riga", locale="en-GB")
    assert when_line(page).startswith(f"{session_time} {visitor_time}")
    assert page.locator(".visitor-time").count() == page.locator(".when").count()
    assert page.locator('input[name="time_zone"]').input_value() == "Europe/Riga"


def test_a_visitor_in_the_sessions_zone_gets_no_second_time(visit, webinar_path):
    page = visit(webinar_path, timezone_id="Europe/Berlin")  # CET like Ljubljana
    assert page.locator(".visitor-time").count() == 0
    assert page.locator('input[name="time_zone"]').input_value() == "Europe/Berlin"


def test_other_zones_and_days(visit, webinar_path):
    """A zone without a common abbreviation is named by its offset; a later day is said."""
    from events.models import Session

    page = visit(webinar_path, timezone_id="Pacific/Auckland")  # UTC+13 in December
    assert "· 22:00–23:30 your time (UTC+13)" in when_line(page)
    for session in Session.objects.all():  # saved as the admin saves: the cached pages go stale
        session.start = datetime(2031, 12, 15, 22, 0, tzinfo=LJUBLJANA)
        session.end = datetime(2031, 12, 15, 23, 0, tzinfo=LJUBLJANA)
        session.save()
    page = visit("/sl" + webinar_path, timezone_id="Asia/Tokyo")
    assert "· 06.00–07.00 po vašem času (UTC+9), naslednji dan" in when_line(page)
    page = visit(webinar_path, timezone_id="America/New_York")
    assert "· 16:00–17:00 your time (UTC-5)" in when_line(page)


def test_without_javascript_the_page_shows_the_sessions_zone_and_no_visitor_line(visit, webinar_path):
    page = visit(webinar_path, timezone_id="Europe/Riga", java_script_enabled=False)
    assert when_line(page).startswith("Monday, 15 December 2031, 10:00–11:30 CET (UTC+1)")
    assert page.locator(".visitor-time").count() == 0
    assert page.locator('input[name="time_zone"]').input_value() == ""
    assert page.locator("form button[type=submit]").count() >= 1  # the form is there to use


def test_the_event_list_gets_the_visitors_time_too(visit, webinar_path):
    page = visit("/events/", timezone_id="Europe/Riga")
    assert "· 11:00–12:30 your time (EET)" in " ".join(page.locator(".card").first.inner_text().split())
