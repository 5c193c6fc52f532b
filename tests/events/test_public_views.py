"""/events/, /events/<slug>/, /events/calendar.ics, /api/events/ and the manage link."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events import services
from events.models import Event, Registration

from .factories import EventFactory, PartnerFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _events_with_sessions(n: int) -> None:
    partner = PartnerFactory()
    for _ in range(n):
        event = EventFactory()
        event.organisers.add(partner)
        SessionFactory(event=event)
        SessionFactory(event=event, start=timezone.now() + timedelta(days=30))


def test_event_list_query_count_does_not_grow(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    _events_with_sessions(2)
    with django_assert_max_num_queries(12) as small:
        assert client.get(reverse("events:event_list")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        _events_with_sessions(12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("events:event_list"))
    assert response.content.count(b'class="card"') == 14


def test_event_list_filters_and_upcoming_versus_past(client):
    upcoming = EventFactory(title="Future workshop", kind=Event.Kind.WORKSHOP, mode=Event.Mode.IN_PERSON)
    SessionFactory(event=upcoming)
    past = EventFactory(title="Old training", kind=Event.Kind.TRAINING)
    SessionFactory(event=past, start=timezone.now() - timedelta(days=3))
    EventFactory(title="Draft thing", status=Event.Status.DRAFT)
    url = reverse("events:event_list")
    body = client.get(url).content.decode()
    assert "Future workshop" in body and "Old training" not in body and "Draft thing" not in body
    assert "Old training" in client.get(url, {"when": "past"}).content.decode()
    assert "Future workshop" not in client.get(url, {"mode": "online"}).content.decode()
    assert "Future workshop" in client.get(url, {"kind": "workshop"}).content.decode()
    organiser = PartnerFactory(slug="org-x")
    upcoming.organisers.add(organiser)
    assert "Future workshop" in client.get(url, {"organiser": "org-x"}).content.decode()
    assert client.get(url, {"kind": "<script>"}).status_code == 200


@pytest.mark.parametrize(
    "mode, schema",
    [("online", "OnlineEventAttendanceMode"), ("in_person", "OfflineEventAttendanceMode"),
     ("hybrid", "MixedEventAttendanceMode")],
)
def test_event_detail_has_json_ld_with_attendance_mode(client, mode, schema):
    event = EventFactory(mode=mode, title="A </script> title", venue="NUK")
    SessionFactory(event=event)
    body = client.get(event.get_absolute_url()).content.decode()
    assert body.count("<h1") == 1
    (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    data = json.loads(raw)
    assert data["@type"] == "Event" and data["eventAttendanceMode"] == f"https://schema.org/{schema}"
    assert data["name"] == "A </script> title" and "startDate" in data


def test_draft_event_is_not_found(client):
    assert client.get(EventFactory(status=Event.Status.DRAFT).get_absolute_url()).status_code == 404


def test_calendar_feed_parses_and_lists_published_sessions(client):
    session = SessionFactory()
    SessionFactory(event=EventFactory(status=Event.Status.DRAFT))
    response = client.get(reverse("events:calendar_feed"))
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    uids = [str(v["UID"]) for v in cal.walk("VEVENT")]
    assert uids == [session.calendar_uid]


def test_api_lists_published_events(client):
    session = SessionFactory()
    data = client.get(reverse("events:api_events")).json()
    (event,) = data["events"]
    assert event["slug"] == session.event.slug and len(event["sessions"]) == 1


def test_manage_link_confirms_on_get_and_cancels_on_post(client, mailoutbox, django_capture_on_commit_callbacks):
    registration = RegistrationFactory()
    url = reverse("events:manage_registration", kwargs={"token": services.manage_token(registration)})
    response = client.get(url)
    assert response.status_code == 200 and b"Cancel my registration" in response.content
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    cancel = reverse("events:cancel_registration", kwargs={"token": services.manage_token(registration)})
    assert b"Yes, cancel my registration" in client.get(cancel).content  # a confirmation step first
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(cancel).status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert len(mailoutbox) == 1
    assert client.get(reverse("events:manage_registration", kwargs={"token": "nope"})).status_code == 404
