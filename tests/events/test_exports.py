"""Registrations as CSV and Excel: the columns (a column per question, labels and choices in the
coordinator's language, times in the session's zone, attendance), formulas defused, who may
export what, and an audit entry for every download."""

from __future__ import annotations

import csv
import io
import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from core import audit
from core.models import AuditEntry
from events import exports
from events.models import Registration, RegistrationQuestion

from .factories import EventFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db

LJUBLJANA = zoneinfo.ZoneInfo("Europe/Ljubljana")


def _answered_session(**event_fields):
    event = EventFactory(title="Bird count", **event_fields)
    start = datetime(2026, 12, 21, 10, 0, tzinfo=LJUBLJANA)
    session = SessionFactory(event=event, start=start, end=start + timedelta(hours=1), time_zone="Europe/Ljubljana")
    lunch = RegistrationQuestion.objects.create(
        event=event, kind=RegistrationQuestion.Kind.ONE_CHOICE, label_en="Lunch", label_sl="Kosilo",
        choices_en="Meat\nVegan", choices_sl="Meso\nVegansko", order=1,
    )
    ana = RegistrationFactory(
        session=session, name="=Ana", email="ana@example.org", affiliation="-5", role="+cmd",
        answers={str(lunch.pk): "Vegan"}, attended=True, attended_minutes=55, language="sl",
        time_zone="Europe/Ljubljana",
    )
    bor = RegistrationFactory(session=session, name="Bor Žužek", email="bor@example.org", affiliation="",
                              status=Registration.Status.WAITLISTED)
    return session, ana, bor, lunch


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))


def test_the_table_has_a_column_per_question_and_attendance(network_coordinator):
    session, ana, bor, _lunch = _answered_session()
    header, rows = exports.table(Registration.objects.filter(session=session))
    assert header[:5] == ["event", "session start", "session time zone", "name", "email"]
    # The event's questions in their order (the built-in one last), then attendance.
    assert header[-4:] == ["Lunch", "Access needs or questions for the organisers", "attended", "minutes attended"]
    first = dict(zip(header, rows[0], strict=True))
    assert first["session start"] == datetime(2026, 12, 21, 10, 0, tzinfo=LJUBLJANA)
    assert first["session start"].utcoffset() == timedelta(hours=1)
    assert (first["Lunch"], first["attended"], first["minutes attended"]) == ("Vegan", "yes", 55)
    second = dict(zip(header, rows[1], strict=True))
    assert (second["name"], second["status"], second["attended"], second["minutes attended"]) == (
        "Bor Žužek", "On the waiting list", "", None
    )


def test_labels_and_choices_are_in_the_coordinators_language():
    session, *_ = _answered_session()
    with translation.override("sl"):
        header, rows = exports.table(Registration.objects.filter(session=session))
    assert "Kosilo" in header
    assert rows[0][header.index("Kosilo")] == "Vegansko"


def test_the_session_csv_defuses_formulas_and_leaves_empty_cells_empty(network_coordinator_client):
    session, *_ = _answered_session()
    response = network_coordinator_client.post(
        reverse("admin:events_session_changelist"), {"action": "export_registrations", "_selected_action": [session.pk]}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    header, ana, bor = rows[0], rows[1], rows[2]
    assert ana[header.index("name")] == "'=Ana"
    assert ana[header.index("affiliation")] == "'-5"  # text that looks like a number is still text
    assert ana[header.index("role")] == "'+cmd"
    assert ana[header.index("minutes attended")] == "55"  # a number stays a number
    assert ana[header.index("session start")] == "2026-12-21T10:00:00+01:00"
    assert bor[header.index("affiliation")] == "" and bor[header.index("minutes attended")] == ""
    assert bor[header.index("name")] == "Bor Žužek"
    entry = AuditEntry.objects.get(action=audit.Action.REGISTRATIONS_EXPORTED)
    assert entry.target_id == str(session.pk)
    assert entry.detail["format"] == "csv" and entry.detail["rows"] == 2
    assert entry.actor_label == "network.coordinator@example.org"
    assert "ana" not in str(entry.detail).lower()


def test_the_event_xlsx_is_a_workbook_with_the_right_cells(network_coordinator_client):
    session, *_ = _answered_session()
    response = network_coordinator_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "export_registrations_xlsx", "_selected_action": [session.event.pk]},
    )
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="registrations.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = values[0]
    ana = dict(zip(header, values[1], strict=True))
    assert ana["name"] == "'=Ana" and sheet.cell(row=2, column=header.index("name") + 1).data_type == "s"
    assert ana["affiliation"] == "'-5"
    assert ana["session start"] == datetime(2026, 12, 21, 10, 0)  # the session's wall clock
    assert ana["session time zone"] == "Europe/Ljubljana"
    assert ana["minutes attended"] == 55 and ana["Lunch"] == "Vegan"
    bor = dict(zip(header, values[2], strict=True))
    assert bor["affiliation"] is None and bor["name"] == "Bor Žužek"
    assert not any(isinstance(c, str) and c.startswith("=") for row in values for c in row)
    entry = AuditEntry.objects.get(action=audit.Action.REGISTRATIONS_EXPORTED)
    assert entry.target_id == str(session.event.pk) and entry.detail["format"] == "xlsx"


def test_the_registration_list_exports_the_selection(network_coordinator_client):
    session, ana, bor, _ = _answered_session()
    response = network_coordinator_client.post(
        reverse("admin:events_registration_changelist"), {"action": "export_xlsx", "_selected_action": [bor.pk]}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2 and sheet.cell(row=2, column=4).value == "Bor Žužek"
    assert AuditEntry.objects.get().detail["rows"] == 1


# --- Who may export ----------------------------------------------------------------------------


def test_partner_coordinators_without_the_registration_permission_are_not_offered_the_export(
    client, coordinator_a, partner_a
):
    session, *_ = _answered_session()
    session.event.organisers.add(partner_a)
    client.force_login(coordinator_a)
    changelist = client.get(reverse("admin:events_event_changelist"))
    assert changelist.status_code == 200 and "export_registrations" not in changelist.content.decode()
    response = client.post(
        reverse("admin:events_event_changelist"),
        {"action": "export_registrations", "_selected_action": [session.event.pk]},
    )
    assert not response.get("Content-Disposition")
    assert not AuditEntry.objects.exists()


def test_a_partner_coordinator_with_the_permission_exports_only_their_own_events(
    client, coordinator_a, partner_a, partner_b
):
    coordinator_a.user_permissions.add(Permission.objects.get(codename="view_registration"))
    own, *_ = _answered_session()
    own.event.organisers.add(partner_a)
    other = SessionFactory(event=EventFactory(title="Not theirs"))
    other.event.organisers.add(partner_b)
    RegistrationFactory(session=other, email="secret@example.org")
    client.force_login(coordinator_a)
    response = client.post(
        reverse("admin:events_event_changelist"),
        {"action": "export_registrations", "_selected_action": [own.event.pk, other.event.pk]},
    )
    text = response.content.decode()
    assert "ana@example.org" in text and "secret@example.org" not in text
    assert AuditEntry.objects.get().detail["rows"] == 2


def test_the_export_costs_the_same_queries_whatever_the_number_of_rows(django_assert_num_queries, network_coordinator):
    session, *_ = _answered_session()
    with django_assert_num_queries(3):  # registrations, questions, the audit entry
        exports.export_registrations(
            registrations=Registration.objects.filter(session=session), file_format=exports.CSV, actor=network_coordinator
        )
    for _ in range(5):
        RegistrationFactory(session=SessionFactory(event=session.event))
    with django_assert_num_queries(3):
        exports.export_registrations(
            registrations=Registration.objects.filter(session__event=session.event), file_format=exports.XLSX,
            actor=network_coordinator,
        )
