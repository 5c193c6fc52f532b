"""An event's figures for its organisers: registrations over time, the counts, the attendance
rate and the affiliations (``events.figures``), and the admin page that shows them with an SVG
chart and its data table — to whoever may view the event, in a constant number of queries."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from events import figures
from events.models import Registration
from tests.events.factories import EventFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db

LJUBLJANA = ZoneInfo("Europe/Ljubljana")
SVG = "{http://www.w3.org/2000/svg}"


def _at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=LJUBLJANA)


@pytest.fixture
def event():
    """Two sessions, the last on 12 March; eight registrations made on 2 (two), 3, 5 (two, late
    in the evening in Ljubljana) and 9 March (three): confirmed 5, waiting 2, cancelled 1;
    attendance recorded for 4, of whom 3 attended."""
    event = EventFactory(title="Counting bees")
    first = SessionFactory(event=event, start=_at(10, 17), end=_at(10, 19), capacity=5)
    last = SessionFactory(event=event, start=_at(12, 17), end=_at(12, 19), capacity=5)
    rows = [
        (first, _at(2, 9), Registration.Status.CONFIRMED, True, "Mestna knjižnica Kranj"),
        (first, _at(2, 18), Registration.Status.CONFIRMED, True, "  mestna knjižnica kranj "),
        (first, _at(3), Registration.Status.CONFIRMED, False, ""),
        (last, _at(5, 23), Registration.Status.CONFIRMED, True, "University of Ljubljana"),
        (last, _at(5, 23), Registration.Status.CONFIRMED, None, "University of Ljubljana"),
        (last, _at(9), Registration.Status.WAITLISTED, None, "Gimnazija Bežigrad"),
        (last, _at(9), Registration.Status.WAITLISTED, None, ""),
        (first, _at(9), Registration.Status.CANCELLED, None, "Cancelled Institute"),
    ]
    for session, created_at, status, attended, affiliation in rows:
        RegistrationFactory(session=session, created_at=created_at, status=status, attended=attended,
                            affiliation=affiliation)
    return event


def test_counts_and_attendance_rate(event):
    result = figures.event_figures(event)

    assert (result.confirmed, result.waiting, result.cancelled, result.total) == (5, 2, 1, 8)
    assert (result.attended, result.attendance_recorded) == (3, 4)
    assert result.attendance_rate == pytest.approx(0.75)


def test_registrations_over_time_are_cumulative_per_day_up_to_the_last_session(event):
    days = figures.event_figures(event).days

    assert days[0].day == date(2026, 3, 2)
    assert days[-1].day == date(2026, 3, 12)  # the last session's day
    assert [d.day for d in days] == [date(2026, 3, 2) + timedelta(days=n) for n in range(11)]
    by_day = {d.day.day: (d.new, d.total) for d in days}
    assert by_day[2] == (2, 2)
    assert by_day[3] == (1, 3)
    assert by_day[4] == (0, 3)
    assert by_day[5] == (2, 5)
    assert by_day[9] == (3, 8)
    assert by_day[12] == (0, 8)
    assert [d.day.day for d in figures.event_figures(event).registration_days] == [2, 3, 5, 9]


def test_affiliations_as_typed_ignoring_spaces_and_case_without_the_cancelled(event):
    rows = figures.event_figures(event).affiliations

    named = [(row.label.lower(), row.count) for row in rows if row.kind == "named"]
    assert named == [("mestna knjižnica kranj", 2), ("university of ljubljana", 2), ("gimnazija bežigrad", 1)]
    assert all("Cancelled" not in row.label for row in rows)
    assert [(row.kind, row.count) for row in rows if row.kind != "named"] == [("none", 2)]
    assert sum(row.count for row in rows) == 7  # confirmed + waiting


def test_the_ten_most_frequent_affiliations_then_the_rest_as_other():
    event = EventFactory()
    session = SessionFactory(event=event, capacity=200)
    for index in range(14):
        for _ in range(14 - index):  # "Org 00" 14 people, "Org 01" 13, … "Org 13" 1
            RegistrationFactory(session=session, affiliation=f"Org {index:02d}")

    rows = figures.event_figures(event).affiliations

    assert [row.label for row in rows[:10]] == [f"Org {index:02d}" for index in range(10)]
    other = rows[10]
    assert (other.kind, other.groups, other.count) == ("other", 4, 4 + 3 + 2 + 1)
    assert len(rows) == 11


def test_an_event_without_registrations(event):
    empty = EventFactory()
    SessionFactory(event=empty)

    result = figures.event_figures(empty)

    assert result.days == [] and result.affiliations == []
    assert result.attendance_rate is None
    assert figures.registrations_chart(result) == ""


def test_the_figures_take_four_queries_whatever_the_number_of_registrations(event, django_assert_num_queries):
    with django_assert_num_queries(4):
        figures.event_figures(event)
    session = event.sessions.first()
    for index in range(30):
        RegistrationFactory(session=session, affiliation=f"Place {index}", attended=bool(index % 2))
    with django_assert_num_queries(4):
        result = figures.event_figures(event)
    assert result.total == 38


@pytest.mark.parametrize("language", ["en", "sl"])
def test_the_chart_is_well_formed_svg_that_names_itself(event, language):
    with translation.override(language):
        chart = str(figures.registrations_chart(figures.event_figures(event)))

    root = ET.fromstring(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text and desc.text
    assert "8" in desc.text  # the total so far
    assert ("2. marca" if language == "sl" else "2 March") in desc.text
    points = root.find(f"{SVG}polyline").get("points").split()
    assert len(points) == 11  # a point per day
    ys = [float(point.split(",")[1]) for point in points]
    assert ys == sorted(ys, reverse=True)  # never goes down (SVG's y grows downwards)


# --- The admin page -----------------------------------------------------------------------------


def _figures_url(event) -> str:
    return reverse("admin:events_event_figures", args=[event.pk])


def test_a_network_coordinator_sees_the_figures_with_chart_and_tables(network_coordinator_client, event):
    response = network_coordinator_client.get(_figures_url(event))
    html = response.content.decode()

    assert response.status_code == 200
    assert "<svg" in html and "Registrations per day" in html
    assert "75%" in html
    assert "University of Ljubljana" in html
    change_page = network_coordinator_client.get(reverse("admin:events_event_change", args=[event.pk]))
    assert _figures_url(event) in change_page.content.decode()


def test_the_organisers_coordinator_sees_them_another_partners_coordinator_does_not(
    client, event, coordinator_a, partner_a, coordinator_b, partner_b
):
    event.organisers.add(partner_a)

    client.force_login(coordinator_a)
    assert client.get(_figures_url(event)).status_code == 200
    client.force_login(coordinator_b)
    assert client.get(_figures_url(event)).status_code == 403


def test_the_public_is_sent_to_log_in(client, event):
    response = client.get(_figures_url(event))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_unknown_event_is_not_found(network_coordinator_client):
    assert network_coordinator_client.get(reverse("admin:events_event_figures", args=[999999])).status_code == 404
    assert network_coordinator_client.get("/admin/events/event/abc/figures/").status_code == 404
    assert network_coordinator_client.get(f"/admin/events/event/{'9' * 30}/figures/").status_code == 404


def test_the_admin_page_s_queries_do_not_grow_with_the_registrations(network_coordinator_client, event):
    url = _figures_url(event)
    network_coordinator_client.get(url)  # warm the per-user permission caches
    with CaptureQueriesContext(connection) as few:
        network_coordinator_client.get(url)
    session = event.sessions.first()
    for index in range(25):
        RegistrationFactory(session=session, affiliation=f"Place {index}", created_at=_at(1 + index % 9))
    with CaptureQueriesContext(connection) as many:
        response = network_coordinator_client.get(url)

    assert response.status_code == 200
    assert len(many) == len(few)
