"""The events admin on a laptop: a registration list narrow enough to read, and after moving or
cancelling a session a message with the new time and how many registrants were told; every move
and cancellation in the audit log."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from core import audit
from core.models import AuditEntry
from events.models import Event, Registration

from .factories import EventFactory, RegistrationFactory, SessionFactory
from .test_admin import _change_form_data

pytestmark = pytest.mark.django_db

LJUBLJANA = zoneinfo.ZoneInfo("Europe/Ljubljana")


def _session_with_people(count: int = 3):
    start = datetime(2030, 12, 20, 10, 0, tzinfo=LJUBLJANA)
    session = SessionFactory(start=start, end=start + timedelta(hours=1), time_zone="Europe/Ljubljana")
    for _ in range(count):
        RegistrationFactory(session=session)
    RegistrationFactory(session=session, status=Registration.Status.CANCELLED)  # not told
    return session


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_registration_list_shows_name_email_session_status_attended(network_coordinator_client):
    RegistrationFactory(name="Ana", attended=True)
    response = network_coordinator_client.get(reverse("admin:events_registration_changelist"))
    cl = response.context["cl"]
    assert list(cl.list_display)[1:] == ["name", "email", "session", "status", "attended"]  # [0]: the checkbox
    assert "attended" in cl.list_filter
    html = response.content.decode()
    assert "Confirmed" in html and "column-attended" in html and "column-affiliation" not in html


def test_moving_a_session_says_the_new_time_and_how_many_were_told(
    network_coordinator_client, django_capture_on_commit_callbacks
):
    session = _session_with_people(3)
    url = reverse("admin:events_session_change", args=[session.pk])
    data = _change_form_data(network_coordinator_client.get(url))
    data["start_0"] = data["end_0"] = "2030-12-21"
    with django_capture_on_commit_callbacks(execute=True):
        response = network_coordinator_client.post(url, data)
    assert response.status_code == 302
    assert "Moved to 21 December, 10:00 CET; 3 registrants told." in _messages(response)
    entry = AuditEntry.objects.get(action=audit.Action.SESSION_MOVED)
    assert entry.target_id == str(session.pk) and entry.detail["told"] == 3
    assert entry.detail["to"].startswith("2030-12-21T09:00")  # stored in UTC
    assert entry.actor_label == "network.coordinator@example.org"


def test_the_move_message_uses_the_admin_languages_formats(rf, network_coordinator, django_capture_on_commit_callbacks):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.utils import translation

    from events.admin import move_and_tell

    session = _session_with_people(1)
    request = rf.post("/admin/")
    request.user, request.session = network_coordinator, {}
    request._messages = FallbackStorage(request)
    start = datetime(2030, 12, 21, 10, 0, tzinfo=LJUBLJANA)
    with translation.override("sl"), django_capture_on_commit_callbacks(execute=True):
        move_and_tell(request, session, start=start, end=start + timedelta(hours=1), time_zone="Europe/Ljubljana")
    (message,) = [str(m) for m in request._messages]
    assert "21. decembra, 10.00 CET" in message


def test_an_unchanged_save_moves_nothing_and_records_nothing(network_coordinator_client):
    session = _session_with_people(1)
    url = reverse("admin:events_session_change", args=[session.pk])
    response = network_coordinator_client.post(url, _change_form_data(network_coordinator_client.get(url)))
    assert response.status_code == 302
    assert not any(m.startswith("Moved") for m in _messages(response))
    assert not AuditEntry.objects.exists()


def test_moving_in_the_event_inline_gives_the_same_message(
    network_coordinator_client, django_capture_on_commit_callbacks
):
    session = _session_with_people(2)
    url = reverse("admin:events_event_change", args=[session.event.pk])
    data = _change_form_data(network_coordinator_client.get(url))
    data["sessions-0-start_1"], data["sessions-0-end_1"] = "11:00:00", "12:00:00"
    with django_capture_on_commit_callbacks(execute=True):
        response = network_coordinator_client.post(url, data)
    assert "Moved to 20 December, 11:00 CET; 2 registrants told." in _messages(response)
    assert AuditEntry.objects.filter(action=audit.Action.SESSION_MOVED).count() == 1


def test_cancelling_sessions_says_how_many_were_told_and_is_recorded(network_coordinator_client):
    session = _session_with_people(1)
    response = network_coordinator_client.post(
        reverse("admin:events_session_changelist"), {"action": "cancel_sessions", "_selected_action": [session.pk]}
    )
    assert f"Cancelled {session}; 1 registrant told." in _messages(response)
    entry = AuditEntry.objects.get(action=audit.Action.SESSION_CANCELLED)
    assert entry.detail == {"told": 1}
    # Cancelling it again tells no one and records nothing more.
    network_coordinator_client.post(
        reverse("admin:events_session_changelist"), {"action": "cancel_sessions", "_selected_action": [session.pk]}
    )
    assert AuditEntry.objects.filter(action=audit.Action.SESSION_CANCELLED).count() == 1


def test_cancelling_an_event_says_how_many_were_told_and_is_recorded(network_coordinator_client):
    event = EventFactory()
    for _ in range(2):
        session = SessionFactory(event=event)
        RegistrationFactory(session=session)
    url = reverse("admin:events_event_change", args=[event.pk])
    data = _change_form_data(network_coordinator_client.get(url))
    data["status"] = Event.Status.CANCELLED
    response = network_coordinator_client.post(url, data)
    assert "Event cancelled; 2 registrants told." in _messages(response)
    entry = AuditEntry.objects.get(action=audit.Action.EVENT_CANCELLED)
    assert entry.detail == {"sessions": 2, "told": 2} and entry.target_id == str(event.pk)
