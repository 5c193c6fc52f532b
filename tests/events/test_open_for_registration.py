"""Which dates take registrations: the rule in the database (``SessionQuerySet.open_for_registration``)
and on sessions already loaded (``Session.is_open_for_registration``) give the same answer, and the
event page reads its sessions once — its dates, its form's choices and its JSON-LD come from them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event, Session
from tests.events.factories import EventFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2031, 3, 20, 12, 0, tzinfo=ZoneInfo("Europe/Ljubljana"))
HOUR = timedelta(hours=1)


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize(
    "session, event_status, is_open",
    [
        ({}, Event.Status.PUBLISHED, True),
        ({}, Event.Status.DRAFT, False),
        ({}, Event.Status.CANCELLED, False),
        ({"status": Session.Status.CANCELLED}, Event.Status.PUBLISHED, False),
        ({"start": NOW, "end": NOW + HOUR}, Event.Status.PUBLISHED, False),  # starting now
        ({"start": NOW - HOUR, "end": NOW + HOUR}, Event.Status.PUBLISHED, False),  # under way
        ({"registration_opens_at": NOW}, Event.Status.PUBLISHED, True),
        ({"registration_opens_at": NOW + HOUR}, Event.Status.PUBLISHED, False),
        ({"registration_closes_at": NOW}, Event.Status.PUBLISHED, False),
        ({"registration_closes_at": NOW + HOUR}, Event.Status.PUBLISHED, True),
        ({"registration_opens_at": NOW - HOUR, "registration_closes_at": NOW - HOUR / 2}, Event.Status.PUBLISHED,
         False),
    ],
)
def test_the_database_and_a_loaded_session_agree_on_whether_it_is_open(session, event_status, is_open):
    created = SessionFactory(event=EventFactory(status=event_status), **session)
    in_database = Session.objects.filter(pk=created.pk).open_for_registration(now=NOW).exists()
    loaded = Session.objects.select_related("event").get(pk=created.pk)
    assert in_database is is_open
    assert loaded.is_open_for_registration(NOW) is is_open


def _session_queries(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries if 'FROM "events_session"' in query["sql"]]


def test_the_event_page_reads_its_sessions_once_and_lists_the_open_ones_with_their_seats(client, settings):
    settings.RATELIMIT_ENABLED = False
    event = EventFactory()
    full = SessionFactory(event=event, capacity=1, has_waiting_list=False)
    RegistrationFactory(session=full)
    later = SessionFactory(event=event, start=NOW + timedelta(days=9))
    not_yet = SessionFactory(event=event, start=NOW + timedelta(days=20), registration_opens_at=NOW + HOUR)
    SessionFactory(event=event, start=NOW - timedelta(days=9))

    with CaptureQueriesContext(connection) as shown:
        page = client.get(event.get_absolute_url())
    assert page.status_code == 200
    assert len(_session_queries(shown)) == 1
    html = page.content.decode()
    assert f'value="{full.pk}"' in html and f'value="{later.pk}"' in html and f'value="{not_yet.pk}"' not in html
    assert "· full" in html  # the count read with the sessions, for the full date

    # A post that is not valid: its choice checked (one query), the page's sessions read once
    # with their counts (events.seats: not the ones remembered for the page a moment ago).
    with CaptureQueriesContext(connection) as posted:
        page = client.post(event.get_absolute_url(), {"session": later.pk, "name": "", "email": "ana@example.org"})
    assert page.status_code == 200
    assert len(_session_queries(posted)) == 2
    assert f'value="{later.pk}"' in page.content.decode()
