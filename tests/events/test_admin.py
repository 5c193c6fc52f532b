"""The events admin: session times in the session's own zone, cancelling a whole event, no
moving a cancelled session, no deleting sessions whose registrants would not be told, and query
counts that do not grow with the rows."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events import services
from events.models import Event, Registration, Session

from .factories import EventFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _form_data(form) -> dict:
    """What the browser would post back for an unchanged ``form``."""
    data: dict = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form[name].value()
        if isinstance(field, forms.SplitDateTimeField):
            date, time = field.widget.decompress(value) if value else (None, None)
            data[f"{key}_0"] = date.isoformat() if date else ""
            data[f"{key}_1"] = time.strftime("%H:%M:%S") if time else ""
        elif isinstance(field, forms.ModelMultipleChoiceField):
            data[key] = [str(v) for v in value or []]
        elif isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        else:
            data[key] = "" if value is None else str(value)
        if field.show_hidden_initial:  # rendered as a hidden "initial-…" input
            data[form.add_initial_prefix(name)] = data[key]
    return data


def _change_form_data(response) -> dict:
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    return data


# --- Wall-clock times in the session's zone ------------------------------------------------------


def test_session_add_form_reads_times_in_the_sessions_zone(network_coordinator_client):
    event = EventFactory()
    response = network_coordinator_client.post(
        reverse("admin:events_session_add"),
        {
            "event": event.pk,
            "start_0": "2030-01-15", "start_1": "14:00:00",
            "end_0": "2030-01-15", "end_1": "15:30:00",
            "time_zone": "America/New_York",
            "capacity": "20",
            "has_waiting_list": "on",
            "registration_opens_at_0": "2030-01-01", "registration_opens_at_1": "09:00:00",
            "registration_closes_at_0": "", "registration_closes_at_1": "",
            "registrations-TOTAL_FORMS": "0", "registrations-INITIAL_FORMS": "0",
            "registrations-MIN_NUM_FORMS": "0", "registrations-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    session = Session.objects.get()
    assert session.start == datetime(2030, 1, 15, 14, 0, tzinfo=NEW_YORK)  # 19:00 UTC, not 13:00
    assert session.end == datetime(2030, 1, 15, 15, 30, tzinfo=NEW_YORK)
    assert session.registration_opens_at == datetime(2030, 1, 1, 9, 0, tzinfo=NEW_YORK)
    assert session.registration_closes_at is None


def test_session_change_form_shows_times_in_the_sessions_zone_and_an_unchanged_save_moves_nothing(
    network_coordinator_client, mailoutbox, django_capture_on_commit_callbacks
):
    start = datetime(2030, 1, 15, 14, 0, tzinfo=NEW_YORK)
    session = SessionFactory(start=start, end=start + timedelta(hours=1), time_zone="America/New_York")
    url = reverse("admin:events_session_change", args=[session.pk])
    response = network_coordinator_client.get(url)
    html = response.content.decode()
    assert 'name="start_1" value="14:00:00"' in html
    assert 'name="end_1" value="15:00:00"' in html
    data = _change_form_data(response)
    with django_capture_on_commit_callbacks(execute=True):
        assert network_coordinator_client.post(url, data).status_code == 302
    session.refresh_from_db()
    assert (session.start, session.sequence) == (start, 0)
    assert mailoutbox == []


def test_event_inline_reads_times_in_each_sessions_zone_and_a_move_tells_registrants(
    network_coordinator_client, mailoutbox, django_capture_on_commit_callbacks
):
    start = datetime(2030, 1, 15, 14, 0, tzinfo=NEW_YORK)
    session = SessionFactory(start=start, end=start + timedelta(hours=1), time_zone="America/New_York")
    RegistrationFactory(session=session, email="ana@example.org")
    url = reverse("admin:events_event_change", args=[session.event.pk])
    response = network_coordinator_client.get(url)
    assert 'name="sessions-0-start_1" value="14:00:00"' in response.content.decode()
    data = _change_form_data(response)
    data["sessions-0-start_1"], data["sessions-0-end_1"] = "16:00:00", "17:00:00"
    with django_capture_on_commit_callbacks(execute=True):
        assert network_coordinator_client.post(url, data).status_code == 302
    session.refresh_from_db()
    assert session.start == datetime(2030, 1, 15, 16, 0, tzinfo=NEW_YORK)
    assert [m.to for m in mailoutbox] == [["ana@example.org"]]


def test_a_time_that_does_not_exist_in_the_zone_is_an_error_not_a_guess(network_coordinator_client):
    session = SessionFactory(time_zone="America/New_York")
    url = reverse("admin:events_session_change", args=[session.pk])
    data = _change_form_data(network_coordinator_client.get(url))
    data["start_0"], data["start_1"] = "2030-03-10", "02:30:00"  # clocks jump from 02:00 to 03:00
    data["end_0"], data["end_1"] = "2030-03-10", "05:00:00"
    response = network_coordinator_client.post(url, data)
    assert response.status_code == 200
    assert "does not exist in the time zone America/New_York" in response.content.decode()


# --- Cancelling the whole event ------------------------------------------------------------------


def test_cancelling_an_event_in_the_admin_cancels_its_sessions_and_tells_registrants(
    network_coordinator_client, mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory()
    first, second = SessionFactory(event=event), SessionFactory(event=event)
    RegistrationFactory(session=first, email="ana@example.org")
    RegistrationFactory(session=second, email="bor@example.org")
    url = reverse("admin:events_event_change", args=[event.pk])
    data = _change_form_data(network_coordinator_client.get(url))
    data["status"] = Event.Status.CANCELLED
    with django_capture_on_commit_callbacks(execute=True):
        assert network_coordinator_client.post(url, data).status_code == 302
    assert set(Session.objects.values_list("status", flat=True)) == {Session.Status.CANCELLED}
    assert sorted(m.to[0] for m in mailoutbox) == ["ana@example.org", "bor@example.org"]
    for message in mailoutbox:
        ics = next(a for a in message.attachments if a[0] == "invite.ics")[1]
        assert Calendar.from_ical(ics)["METHOD"] == "CANCEL"


def test_cancelling_an_event_and_moving_its_session_at_once_is_refused(network_coordinator_client, mailoutbox):
    session = SessionFactory()
    RegistrationFactory(session=session)
    url = reverse("admin:events_event_change", args=[session.event.pk])
    data = _change_form_data(network_coordinator_client.get(url))
    data["status"] = Event.Status.CANCELLED
    data["sessions-0-start_1"] = "06:00:00"
    response = network_coordinator_client.post(url, data)
    assert response.status_code == 200
    assert "cannot be moved" in response.content.decode()
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED and session.event.status == Event.Status.PUBLISHED


# --- A cancelled session cannot be moved ---------------------------------------------------------


def test_moving_a_cancelled_session_in_the_admin_is_a_clear_error(network_coordinator_client, mailoutbox, django_capture_on_commit_callbacks):
    session = SessionFactory()
    RegistrationFactory(session=session)
    services.cancel_session(session=session)
    original_start = session.start
    url = reverse("admin:events_session_change", args=[session.pk])
    data = _change_form_data(network_coordinator_client.get(url))
    data["start_0"] = data["end_0"] = (session.local_start() + timedelta(days=1)).date().isoformat()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = network_coordinator_client.post(url, data)
    assert response.status_code == 200
    assert "cannot be moved" in response.content.decode()
    session.refresh_from_db()
    assert session.start == original_start and session.sequence == 1
    assert mailoutbox == []


# --- Deleting sessions whose registrants would not be told ---------------------------------------


def test_sessions_with_registrants_cannot_be_deleted_but_cancelled_ones_can(network_coordinator_client):
    session = SessionFactory()
    RegistrationFactory(session=session)
    empty = SessionFactory()
    session_url = reverse("admin:events_session_delete", args=[session.pk])
    event_url = reverse("admin:events_event_delete", args=[session.event.pk])
    assert network_coordinator_client.get(session_url).status_code == 403
    assert "cancel the session instead" in network_coordinator_client.get(session_url).content.decode()
    assert network_coordinator_client.post(event_url, {"post": "yes"}).status_code == 403
    assert network_coordinator_client.get(reverse("admin:events_session_delete", args=[empty.pk])).status_code == 200
    # The bulk action refuses too, naming the session.
    response = network_coordinator_client.post(
        reverse("admin:events_session_changelist"),
        {"action": "delete_selected", "_selected_action": [session.pk, empty.pk], "post": "yes"},
    )
    assert Session.objects.filter(pk=session.pk).exists()
    assert "cancel the session instead" in response.content.decode()
    services.cancel_session(session=session)  # registrants told: now it may go
    assert network_coordinator_client.get(session_url).status_code == 200


def test_the_event_inline_offers_no_delete_box(network_coordinator_client):
    session = SessionFactory()
    response = network_coordinator_client.get(reverse("admin:events_event_change", args=[session.event.pk]))
    assert 'name="sessions-0-DELETE"' not in response.content.decode()


# --- Query counts --------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_registration_changelist_query_count_does_not_grow_with_sessions(network_coordinator_client, django_assert_max_num_queries):
    url = reverse("admin:events_registration_changelist")
    RegistrationFactory.create_batch(2)  # each in a session (and event) of its own
    baseline = _queries(network_coordinator_client, url)
    RegistrationFactory.create_batch(10)
    assert Session.objects.count() == 12
    with django_assert_max_num_queries(baseline):
        response = network_coordinator_client.get(url)
    assert response.content.decode().count("?session__id__exact=") >= 12


def test_session_filter_is_scoped_to_the_coordinators_events(client, coordinator_a, partner_a):
    from django.contrib.auth.models import Permission

    coordinator_a.user_permissions.add(*Permission.objects.filter(codename__endswith="_registration"))
    mine = SessionFactory(event=EventFactory(title="Ours"))
    mine.event.organisers.add(partner_a)
    RegistrationFactory(session=mine)
    theirs = SessionFactory(event=EventFactory(title="Someone else's"))
    client.force_login(coordinator_a)
    html = client.get(reverse("admin:events_registration_changelist")).content.decode()
    assert f"session__id__exact={mine.pk}" in html
    assert f"session__id__exact={theirs.pk}" not in html
    filtered = client.get(reverse("admin:events_registration_changelist") + f"?session__id__exact={mine.pk}")
    assert filtered.status_code == 200 and list(filtered.context["cl"].result_list) == list(
        Registration.objects.filter(session=mine)
    )


def test_cancelling_an_event_leaves_past_sessions_alone():
    event = EventFactory()
    past = SessionFactory(event=event, start=timezone.now() - timedelta(days=3))
    upcoming = SessionFactory(event=event)
    services.cancel_event(event=event)
    past.refresh_from_db()
    upcoming.refresh_from_db()
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert (past.status, upcoming.status) == (Session.Status.SCHEDULED, Session.Status.CANCELLED)


@pytest.mark.parametrize(
    ("changelist", "codenames"), [("admin:events_registration_changelist", "_registration"),
                                  ("admin:events_session_changelist", "_session")]
)
def test_the_event_filter_lists_only_the_coordinators_events(client, coordinator_a, partner_a, changelist, codenames):
    """Not another partner's draft: the stock related filter listed every event."""
    from django.contrib.auth.models import Permission

    coordinator_a.user_permissions.add(*Permission.objects.filter(codename__endswith=codenames))
    mine = SessionFactory(event=EventFactory(title="Our open day"))
    mine.event.organisers.add(partner_a)
    RegistrationFactory(session=mine)
    theirs = SessionFactory(event=EventFactory(title="Their secret draft", status=Event.Status.DRAFT))
    RegistrationFactory(session=theirs)
    client.force_login(coordinator_a)
    url = reverse(changelist)
    html = client.get(url).content.decode()
    assert "Our open day" in html and f"event={mine.event_id}" in html
    assert "Their secret draft" not in html and f"event={theirs.event_id}" not in html
    filtered = client.get(f"{url}?event={mine.event_id}")
    assert filtered.status_code == 200 and len(filtered.context["cl"].result_list) == 1
    # Another partner's event named in the address filters to nothing of theirs.
    assert list(client.get(f"{url}?event={theirs.event_id}").context["cl"].result_list) == []
