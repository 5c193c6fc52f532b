"""Attendance: Zoom's participants report read and matched to registrations (rows of one person
added up, addresses case-insensitive, unmatched rows listed, recording twice the same), the
"Record attendance" page, and marking by hand."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import audit
from core.models import AuditEntry
from events import attendance
from events.attendance import ParticipantRow
from events.models import Registration

from .factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db

LJUBLJANA = zoneinfo.ZoneInfo("Europe/Ljubljana")

# A meeting participants report as Zoom's Reports page exports it: a byte-order mark, the
# meeting's summary block, a blank line, then the participants table.
ZOOM_REPORT = (
    "\ufeffMeeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
    "812 3456 7890,Citizen science in the city,11/30/2026 09:55:12 AM,11/30/2026 11:32:40 AM,"
    "host@example.org,98,5\n"
    "\n"
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent\n"
    "Ana Novak,Ana.Novak@Example.org,11/30/2026 10:01:02 AM,11/30/2026 10:31:00 AM,30,Yes,\n"
    "Ana Novak,ana.novak@example.org,11/30/2026 10:40:00 AM,11/30/2026 11:00:30 AM,21,Yes,\n"
    "Bor (Bor's iPad),bor@example.org,11/30/2026 10:00:00 AM,11/30/2026 11:30:00 AM,90,Yes,\n"
    "Bor (Bor's phone),bor@example.org,11/30/2026 10:15:00 AM,11/30/2026 10:45:00 AM,30,Yes,\n"
    "Stranger,stranger@example.net,11/30/2026 10:05:00 AM,11/30/2026 10:10:00 AM,5,Yes,\n"
    "Phone user,,11/30/2026 10:00:00 AM,11/30/2026 10:20:00 AM,20,Yes,\n"
).encode()


def _session():
    start = datetime(2026, 11, 30, 10, 0, tzinfo=LJUBLJANA)
    return SessionFactory(start=start, end=start + timedelta(minutes=90), time_zone="Europe/Ljubljana")


def _cast(session):
    return {
        "ana": RegistrationFactory(session=session, email="ana.novak@example.org"),
        "bor": RegistrationFactory(session=session, email="BOR@example.org"),
        "cene": RegistrationFactory(session=session, email="cene@example.org"),  # confirmed, never came
        "waiting": RegistrationFactory(session=session, email="w@example.org", status=Registration.Status.WAITLISTED),
        "cancelled": RegistrationFactory(
            session=session, email="stranger@example.net", status=Registration.Status.CANCELLED
        ),
    }


# --- Reading the report ------------------------------------------------------------------------


def test_the_report_is_read_past_its_summary_block_in_the_sessions_zone():
    rows = attendance.parse_participants_csv(ZOOM_REPORT, tz=LJUBLJANA)
    assert len(rows) == 6
    assert rows[0] == ParticipantRow(
        name="Ana Novak",
        email="Ana.Novak@Example.org",
        join_time=datetime(2026, 11, 30, 10, 1, 2, tzinfo=LJUBLJANA),
        leave_time=datetime(2026, 11, 30, 10, 31, tzinfo=LJUBLJANA),
        duration_seconds=29 * 60 + 58,
    )
    assert rows[-1].email == "" and rows[-1].duration_seconds == 20 * 60


def test_iso_times_and_an_email_column_without_a_summary_block_are_read():
    report = (
        b"Name,Email,Join Time,Leave Time,Duration (Minutes)\n"
        b"Ana,ana@example.org,2026-11-30T09:00:00+00:00,2026-11-30T09:30:00Z,30\n"
    )
    (row,) = attendance.parse_participants_csv(report, tz=LJUBLJANA)
    assert row.join_time == datetime(2026, 11, 30, 10, 0, tzinfo=LJUBLJANA)
    assert row.duration_seconds == 1800


def test_a_webinar_attendee_report_skips_those_who_did_not_attend():
    report = (
        "Attendee Report\r\nReport Generated:,11/30/2026 12:00 PM\r\n"
        "Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)\r\n"
        "Yes,Ana,ana@example.org,11/30/2026 10:00:00 AM,11/30/2026 10:30:00 AM,30\r\n"
        "No,Bor,bor@example.org,--,--,--\r\n"
    ).encode("cp1252")
    (row,) = attendance.parse_participants_csv(report, tz=LJUBLJANA)
    assert (row.name, row.email, row.duration_seconds) == ("Ana", "ana@example.org", 1800)


def test_rows_without_times_use_the_duration_column():
    report = b"Name,User Email,Duration (Minutes)\nAna,a@example.org,12\n"
    (row,) = attendance.parse_participants_csv(report, tz=LJUBLJANA)
    assert (row.join_time, row.duration_seconds) == (None, 720)


@pytest.mark.parametrize(
    "data",
    [
        b"just,some,columns\n1,2,3\n",
        b"\x00\x01binary",
        b"Name,User Email,Join Time\nAna,a@example.org,yesterday-ish\n",
        b"x" * (attendance.MAX_REPORT_BYTES + 1),
    ],
)
def test_a_file_that_is_not_a_participants_report_is_refused_with_a_reason(data):
    with pytest.raises(attendance.ReportError) as error:
        attendance.parse_participants_csv(data, tz=LJUBLJANA)
    assert error.value.message


# --- Matching ----------------------------------------------------------------------------------


def test_rows_are_matched_by_address_summed_per_person_and_the_rest_listed():
    session = _session()
    people = _cast(session)
    rows = attendance.parse_participants_csv(ZOOM_REPORT, tz=LJUBLJANA)
    result = attendance.record_participants(session=session, rows=rows)
    assert result.matched == 2 and result.absent == 1
    assert [row.name for row in result.unmatched] == ["Stranger", "Phone user"]  # cancelled; no address
    for registration in people.values():
        registration.refresh_from_db()
    # Ana: 29 min 58 s + 20 min 30 s = 50 min 28 s, a started minute counts: 51.
    assert (people["ana"].attended, people["ana"].attended_minutes) == (True, 51)
    # Bor's two devices overlap: 10:00–11:30 once, not 90 + 30.
    assert (people["bor"].attended, people["bor"].attended_minutes) == (True, 90)
    assert (people["cene"].attended, people["cene"].attended_minutes) == (False, None)
    assert people["waiting"].attended is None  # had no seat: left unrecorded
    assert people["cancelled"].attended is None
    entry = AuditEntry.objects.get(action=audit.Action.ATTENDANCE_RECORDED)
    assert entry.detail == {"rows": 6, "attended": 2, "absent": 1, "unmatched_rows": 2, "kept_by_hand": 0}
    assert {r.attendance_source for r in (people["ana"], people["bor"], people["cene"])} == {"report"}
    assert people["waiting"].attendance_source == ""
    assert "example" not in str(entry.detail)


def test_recording_the_same_report_twice_gives_the_same_result():
    session = _session()
    _cast(session)
    rows = attendance.parse_participants_csv(ZOOM_REPORT, tz=LJUBLJANA)
    first = attendance.record_participants(session=session, rows=rows)
    state = list(Registration.objects.order_by("id").values_list("attended", "attended_minutes"))
    second = attendance.record_participants(session=session, rows=rows)
    assert (second.matched, second.absent, second.unmatched) == (first.matched, first.absent, first.unmatched)
    assert list(Registration.objects.order_by("id").values_list("attended", "attended_minutes")) == state


def test_a_waiting_registrant_who_joined_anyway_is_marked():
    session = _session()
    waiting = RegistrationFactory(session=session, email="w@example.org", status=Registration.Status.WAITLISTED)
    row = ParticipantRow(name="W", email=" W@Example.org ", join_time=None, leave_time=None, duration_seconds=61)
    assert attendance.record_participants(session=session, rows=[row]).matched == 1
    waiting.refresh_from_db()
    assert (waiting.attended, waiting.attended_minutes) == (True, 2)


def test_minutes_round_up_and_intervals_merge():
    t = datetime(2026, 1, 1, 10, 0, tzinfo=LJUBLJANA)
    rows = [
        ParticipantRow("a", "a@x.org", t, t + timedelta(minutes=10), 600),
        ParticipantRow("a", "a@x.org", t + timedelta(minutes=5), t + timedelta(minutes=12), 420),
        ParticipantRow("a", "a@x.org", t + timedelta(minutes=20), t + timedelta(minutes=21), 60),
        ParticipantRow("a", "a@x.org", None, None, 30),
    ]
    assert attendance.attended_seconds(rows) == 12 * 60 + 60 + 30
    assert attendance.minutes_from_seconds(0) == 0
    assert attendance.minutes_from_seconds(1) == 1
    assert attendance.minutes_from_seconds(120) == 2


# --- Marking by hand -----------------------------------------------------------------------------


def test_set_attended_by_hand_is_recorded_without_the_persons_name(network_coordinator):
    registration = RegistrationFactory(name="Ana Novak", email="ana@example.org", attended=True, attended_minutes=40)
    attendance.set_attended(registration=registration, attended=False, actor=network_coordinator)
    registration.refresh_from_db()
    assert (registration.attended, registration.attended_minutes) == (False, None)
    attendance.set_attended(registration=registration, attended=True, actor=network_coordinator)
    registration.refresh_from_db()
    assert (registration.attended, registration.attended_minutes) == (True, None)
    entries = AuditEntry.objects.filter(action=audit.Action.ATTENDANCE_MARKED).order_by("id")
    assert [e.detail for e in entries] == [{"attended": False}, {"attended": True}]
    assert all("Ana" not in e.target_label and "ana@" not in e.target_label for e in entries)
    assert entries[0].actor == network_coordinator


def test_the_admin_actions_mark_registrations(network_coordinator_client):
    first, second = RegistrationFactory(), RegistrationFactory()
    url = reverse("admin:events_registration_changelist")
    response = network_coordinator_client.post(
        url, {"action": "mark_attended", "_selected_action": [first.pk, second.pk]}, follow=True
    )
    assert "2 registrations marked as attended." in response.content.decode()
    assert set(Registration.objects.values_list("attended", flat=True)) == {True}
    network_coordinator_client.post(url, {"action": "mark_not_attended", "_selected_action": [second.pk]})
    second.refresh_from_db()
    assert second.attended is False


def test_a_report_never_overrides_a_hand_mark(network_coordinator):
    """A coordinator marked Cene (not in the report) as attended and Ana (in it) as absent; the
    report — uploaded, or fetched again and again from Zoom — leaves both as marked."""
    session = _session()
    people = _cast(session)
    attendance.set_attended(registration=people["cene"], attended=True, actor=network_coordinator)
    attendance.set_attended(registration=people["ana"], attended=False, actor=network_coordinator)
    rows = attendance.parse_participants_csv(ZOOM_REPORT, tz=LJUBLJANA)
    for _ in range(2):
        result = attendance.record_participants(session=session, rows=rows)
        assert (result.matched, result.absent, result.kept) == (1, 0, 2)
    for registration in people.values():
        registration.refresh_from_db()
    assert (people["cene"].attended, people["cene"].attended_minutes, people["cene"].attendance_source) == (
        True, None, "hand"
    )
    assert (people["ana"].attended, people["ana"].attended_minutes, people["ana"].attendance_source) == (
        False, None, "hand"
    )
    assert (people["bor"].attended, people["bor"].attended_minutes, people["bor"].attendance_source) == (
        True, 90, "report"
    )
    entry = AuditEntry.objects.filter(action=audit.Action.ATTENDANCE_RECORDED).latest("id")
    assert entry.detail["kept_by_hand"] == 2


def test_a_hand_mark_of_attended_keeps_the_reports_minutes_and_later_reports_do_not_change_them(
    network_coordinator,
):
    session = _session()
    ana = RegistrationFactory(session=session, email="ana@example.org")
    t = datetime(2026, 11, 30, 10, 0, tzinfo=LJUBLJANA)
    first = [ParticipantRow("Ana", "ana@example.org", t, t + timedelta(minutes=30), 1800)]
    attendance.record_participants(session=session, rows=first)
    attendance.set_attended(registration=ana, attended=True, actor=network_coordinator)
    longer = [ParticipantRow("Ana", "ana@example.org", t, t + timedelta(minutes=80), 4800)]
    attendance.record_participants(session=session, rows=longer)
    ana.refresh_from_db()
    assert (ana.attended, ana.attended_minutes, ana.attendance_source) == (True, 30, "hand")


def test_the_upload_page_says_how_many_hand_marks_were_kept(network_coordinator_client, network_coordinator):
    session = _session()
    people = _cast(session)
    attendance.set_attended(registration=people["cene"], attended=True, actor=network_coordinator)
    url = reverse("admin:events_session_attendance", args=[session.pk])
    response = network_coordinator_client.post(
        url, {"report": SimpleUploadedFile("participants.csv", ZOOM_REPORT, content_type="text/csv")}
    )
    assert "1 registrant marked by hand was left as marked." in response.content.decode()
    people["cene"].refresh_from_db()
    assert people["cene"].attended is True


# --- The "Record attendance" page ----------------------------------------------------------------


def test_uploading_the_report_shows_the_count_and_the_unmatched_rows(network_coordinator_client):
    session = _session()
    _cast(session)
    url = reverse("admin:events_session_attendance", args=[session.pk])
    page = network_coordinator_client.get(url)
    assert page.status_code == 200 and 'type="file"' in page.content.decode()
    response = network_coordinator_client.post(
        url, {"report": SimpleUploadedFile("participants_81234567890.csv", ZOOM_REPORT, content_type="text/csv")}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 registrants attended." in html
    assert "stranger@example.net" in html and "Phone user" in html
    assert Registration.objects.filter(attended=True).count() == 2
    entry = AuditEntry.objects.get(action=audit.Action.ATTENDANCE_RECORDED)
    assert entry.actor.email == "network.coordinator@example.org"
    assert entry.target_id == str(session.pk)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"%PDF-1.4", "CSV file"),
        ("report.csv", b"a,b\n1,2\n", "No participants table found"),
    ],
)
def test_a_wrong_file_is_a_clear_error_and_records_nothing(network_coordinator_client, name, content, message):
    session = _session()
    RegistrationFactory(session=session)
    url = reverse("admin:events_session_attendance", args=[session.pk])
    response = network_coordinator_client.post(url, {"report": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Registration.objects.filter(attended__isnull=False).exists()
    assert not AuditEntry.objects.exists()


def test_the_session_page_links_to_attendance_and_the_action_goes_there(network_coordinator_client):
    session = _session()
    html = network_coordinator_client.get(reverse("admin:events_session_change", args=[session.pk])).content.decode()
    url = reverse("admin:events_session_attendance", args=[session.pk])
    assert url in html
    response = network_coordinator_client.post(
        reverse("admin:events_session_changelist"), {"action": "record_attendance", "_selected_action": [session.pk]}
    )
    assert response.status_code == 302 and response["Location"] == url


def test_partner_coordinators_cannot_record_attendance(client, coordinator_a, partner_a):
    session = _session()
    session.event.organisers.add(partner_a)
    client.force_login(coordinator_a)
    response = client.get(reverse("admin:events_session_attendance", args=[session.pk]))
    assert response.status_code in (403, 404)
