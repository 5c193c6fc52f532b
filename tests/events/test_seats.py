"""Seats and deadlines on the public pages (issue 12, item 4): "12 seats left", "few seats left",
"full — join the waiting list", "full" and "registration closes 9 April, 17:00" on the event and
webinar pages and on the lists, in the visitor's language; and the cached lists show a new count
within a second of a registration, while pages without seats stay cached."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.cache import forget_local
from events.listing import FEW_SEATS, SeatState, availability, is_few
from events.models import Registration, Session
from tests.events.factories import (
    EventFactory,
    PartnerFactory,
    RegistrationFactory,
    SessionFactory,
    WebinarFactory,
)

pytestmark = pytest.mark.django_db
LJUBLJANA = ZoneInfo("Europe/Ljubljana")
NOW = datetime(2031, 3, 20, 12, 0, tzinfo=LJUBLJANA)


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def path_of(obj) -> str:
    with translation.override("en"):
        return obj.get_absolute_url()


def text(html: str) -> str:
    """The text of the page's <main>, tags dropped, whitespace collapsed."""
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", "", main).split())


def counted(session: Session) -> Session:
    return Session.objects.with_counts().select_related("event").get(pk=session.pk)


def fill(session: Session, confirmed: int) -> None:
    RegistrationFactory.create_batch(confirmed, session=session)


# --- The rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capacity", "confirmed", "state", "left"),
    [
        (40, 28, SeatState.LEFT, 12),
        (40, 35, SeatState.FEW, 5),  # FEW_SEATS left
        (40, 34, SeatState.LEFT, 6),
        (200, 180, SeatState.FEW, 20),  # 10 % of the capacity
        (200, 179, SeatState.LEFT, 21),
        (3, 0, SeatState.FEW, 3),  # a small session is always "few"
        (40, 40, SeatState.WAITING_LIST, 0),
    ],
)
def test_seats_left_and_the_few_seats_threshold(capacity, confirmed, state, left):
    session = SessionFactory(capacity=capacity)
    fill(session, confirmed)
    seen = availability(counted(session))
    assert (seen.state, seen.seats_left) == (state, left)
    assert is_few(FEW_SEATS, 1) and not is_few(FEW_SEATS + 1, 10)


def test_a_full_session_without_a_waiting_list_is_full_and_tells_no_deadline():
    session = SessionFactory(capacity=2, has_waiting_list=False, registration_closes_at=NOW + timedelta(days=3))
    fill(session, 2)
    seen = availability(counted(session))
    assert seen.state == SeatState.FULL and seen.deadline == ""


def test_waitlisted_and_cancelled_registrations_take_no_seat():
    session = SessionFactory(capacity=20)
    fill(session, 3)
    RegistrationFactory(session=session, status=Registration.Status.WAITLISTED)
    RegistrationFactory(session=session, status=Registration.Status.CANCELLED)
    assert availability(counted(session)).seats_left == 17


def test_closed_not_yet_open_cancelled_and_past_sessions():
    closed = SessionFactory(registration_closes_at=NOW - timedelta(minutes=1))
    not_open = SessionFactory(registration_opens_at=NOW + timedelta(days=1))
    cancelled = SessionFactory(status=Session.Status.CANCELLED)
    past = SessionFactory(start=NOW - timedelta(days=2), end=NOW - timedelta(days=2, hours=-1))
    assert availability(counted(closed)).state == SeatState.CLOSED
    assert availability(counted(not_open)).state == SeatState.NOT_OPEN
    assert availability(counted(cancelled)).state == SeatState.CANCELLED
    assert availability(counted(past)).text == ""


def test_without_counted_seats_nothing_is_said_about_seats():
    """The home page's sessions carry no count: no seat line, no query per session."""
    session = Session.objects.select_related("event").get(pk=SessionFactory().pk)
    with CaptureQueriesContext(connection) as queries:
        seen = availability(session)
    assert seen.state == SeatState.OPEN and seen.text == "" and len(queries) == 0


# --- On the pages, in both languages --------------------------------------------------------


@pytest.fixture
def sessions():
    """One event with four dates: 12 seats left; few left; full with a waiting list; full without
    one. The first closes for registration on 9 April 2031 at 17:00 Ljubljana time (CEST)."""
    event = EventFactory(title="Bird count", slug="bird-count")
    start = datetime(2031, 4, 14, 10, 0, tzinfo=LJUBLJANA)
    plenty = SessionFactory(
        event=event,
        start=start,
        end=start + timedelta(hours=1),
        capacity=40,
        registration_closes_at=datetime(2031, 4, 9, 17, 0, tzinfo=LJUBLJANA),
    )
    fill(plenty, 28)
    few = SessionFactory(
        event=event, start=start + timedelta(days=1), end=start + timedelta(days=1, hours=1), capacity=40
    )
    fill(few, 37)
    waiting = SessionFactory(
        event=event, start=start + timedelta(days=2), end=start + timedelta(days=2, hours=1), capacity=2
    )
    fill(waiting, 2)
    full = SessionFactory(
        event=event,
        start=start + timedelta(days=3),
        end=start + timedelta(days=3, hours=1),
        capacity=2,
        has_waiting_list=False,
    )
    fill(full, 2)
    return event


SEAT_LINES = {
    "": [
        "12 seats left · Registration closes 9 April, 17:00 CEST",
        "Few seats left: only 3",
        "Full — join the waiting list",
        "Full",
    ],
    "/sl": [
        "Še 12 prostih mest · Prijave se zaprejo 9. aprila, 17.00 CEST",
        "Le še nekaj prostih mest: 3",
        "Zasedeno – prijavite se na čakalni seznam",
        "Zasedeno",
    ],
}


@pytest.mark.parametrize("prefix", ["", "/sl"])
def test_the_event_page_tells_seats_and_the_deadline_of_every_date(client, sessions, prefix):
    page = text(client.get(prefix + path_of(sessions)).content.decode())
    for line in SEAT_LINES[prefix]:
        assert line in page, line


@pytest.mark.parametrize("prefix", ["", "/sl"])
def test_the_webinar_page_tells_seats_too(client, prefix):
    webinar = WebinarFactory()
    session = SessionFactory(event=webinar.event, capacity=30)
    fill(session, 18)
    page = text(client.get(prefix + path_of(webinar), follow=True).content.decode())
    assert {"": "12 seats left", "/sl": "Še 12 prostih mest"}[prefix] in page


def test_the_deadline_is_marked_up_as_a_time(client, sessions):
    html = client.get(path_of(sessions)).content.decode()
    assert '<time datetime="2031-04-09T17:00:00+02:00">9 April, 17:00 CEST</time>' in html


@pytest.mark.parametrize("prefix", ["", "/sl"])
def test_the_event_list_tells_the_seats_of_the_next_dates(client, sessions, prefix):
    page = text(client.get(prefix + "/events/").content.decode())
    for line in SEAT_LINES[prefix][:3]:  # the list shows the next three dates
        assert line in page, line


@pytest.mark.parametrize("prefix", ["", "/sl"])
def test_the_webinar_list_tells_the_seats_of_the_next_date(client, prefix):
    webinar = WebinarFactory()
    past = SessionFactory(event=webinar.event, start=NOW - timedelta(days=7), end=NOW - timedelta(days=7, hours=-1))
    fill(past, 1)
    upcoming = SessionFactory(event=webinar.event, capacity=10)
    fill(upcoming, 10)
    page = text(client.get(prefix + "/webinars/").content.decode())
    expected = {"": "2 dates; next:", "/sl": "2 termina; naslednji:"}[prefix]
    assert expected in page
    assert {"": "Full — join the waiting list", "/sl": "Zasedeno – prijavite se na čakalni seznam"}[prefix] in page


# --- Correct under caching -------------------------------------------------------------------


def cached_render(client, url: str) -> tuple[str, int]:
    """The page and the number of queries it cost (0: served from the page cache)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_registration_shows_on_the_cached_lists_within_a_second_and_leaves_other_pages_cached(
    client, django_capture_on_commit_callbacks
):
    from portal.models import NewsItem

    partner = PartnerFactory(name="Kranj City Library")
    NewsItem.objects.create(title="Network meeting", slug="network-meeting", body="We met.")
    webinar = WebinarFactory()
    session = SessionFactory(event=webinar.event, capacity=20)
    webinar.event.organisers.add(partner)
    fill(session, 8)
    lists = ["/events/", "/sl/events/", "/webinars/", "/sl/webinars/"]
    others = ["/partners/", path_of(partner), "/news/"]
    for url in lists + others:
        cached_render(client, url)
    for url in lists + others:
        assert cached_render(client, url)[1] == 0, f"{url} is cached"
    assert "12 seats left" in text(cached_render(client, "/events/")[0])

    with django_capture_on_commit_callbacks(execute=True):
        RegistrationFactory(session=session)

    for url in others:
        assert cached_render(client, url)[1] == 0, f"{url} must stay cached"
    # Seat counts may lag by up to a second, in this process too (core.cache.LAGGING_AREAS): the
    # lists are still served as they were; a second later (what the process remembers has
    # expired) they show the new count.
    assert cached_render(client, "/events/")[1] == 0
    forget_local()
    for url in others:
        assert cached_render(client, url)[1] == 0, f"{url} must stay cached"
    expected = {
        "/events/": "11 seats left",
        "/webinars/": "11 seats left",
        "/sl/events/": "Še 11 prostih mest",
        "/sl/webinars/": "Še 11 prostih mest",
    }
    for url in lists:
        page, queries = cached_render(client, url)
        assert queries > 0 and expected[url] in text(page), url
