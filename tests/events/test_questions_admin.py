"""Registration questions in the admin (an inline of the event, both languages side by side) for a
network coordinator and a partner coordinator; answers in the registration's change view, the
CSV export, the GDPR export, erasure and retention."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from events import personal_data as events_personal_data
from events.models import Registration, RegistrationQuestion

from .factories import EventFactory, RegistrationFactory, SessionFactory
from .test_admin import _change_form_data

pytestmark = pytest.mark.django_db

Kind = RegistrationQuestion.Kind


def _new_question(data: dict, index: int, **values) -> dict:
    """``data`` with one more inline form in the questions formset."""
    prefix = f"questions-{index}"
    data = {**data, "questions-TOTAL_FORMS": str(index + 1)}
    defaults = {"kind": "short_text", "order": "100", "label_en": "", "label_sl": "", "help_text_en": "",
                "help_text_sl": "", "choices_en": "", "choices_sl": "", "event": ""}
    for name, value in {**defaults, **values}.items():
        data[f"{prefix}-{name}"] = value
    return data


def _answered_registration(**kwargs) -> tuple[Registration, dict[str, RegistrationQuestion]]:
    event = EventFactory(title="Soil workshop")
    session = SessionFactory(event=event, **kwargs)
    diet = RegistrationQuestion.objects.create(
        event=event, kind=Kind.ONE_CHOICE, label_en="Lunch preference", label_sl="Izbira kosila",
        choices_en="Vegetarian\nVegan", choices_sl="Vegetarijansko\nVegansko",
    )
    access = event.questions.get(is_access_needs=True)
    registration = RegistrationFactory(
        session=session, email="ana@example.org", answers={str(diet.pk): "Vegan", str(access.pk): "=A ramp, please."},
        time_zone="Europe/Riga",
    )
    return registration, {"diet": diet, "access": access}


# --- The inline ------------------------------------------------------------------------------------
def test_a_network_coordinator_edits_questions_in_both_languages_side_by_side(network_coordinator_client):
    event = EventFactory()
    url = reverse("admin:events_event_change", args=[event.pk])
    response = network_coordinator_client.get(url)
    html = response.content.decode()
    assert 'name="questions-0-label_en"' in html and 'name="questions-0-label_sl"' in html
    assert 'value="Access needs or questions for the organisers"' in html
    data = _new_question(
        _change_form_data(response), 1, kind="one_choice", label_en="Lunch", label_sl="Kosilo", required="on",
        order="5", choices_en="Meat\nFish", choices_sl="Meso\nRiba",
    )
    assert network_coordinator_client.post(url, data).status_code == 302
    question = event.questions.get(label_en="Lunch")
    assert (question.label_sl, question.choices_sl, question.required, question.order) == ("Kosilo", "Meso\nRiba", True, 5)
    assert not question.is_access_needs


@pytest.mark.parametrize(
    "choices_en, choices_sl, message",
    [("Only one", "", "Give at least two choices, one per line."),
     ("Meat\nFish", "Meso", "Give as many choices in Slovenian as in English (2), in the same order.")],
)
def test_choice_questions_need_two_choices_and_as_many_in_each_language(
    network_coordinator_client, choices_en, choices_sl, message
):
    event = EventFactory()
    url = reverse("admin:events_event_change", args=[event.pk])
    data = _new_question(
        _change_form_data(network_coordinator_client.get(url)), 1, kind="several_choices", label_en="Lunch",
        choices_en=choices_en, choices_sl=choices_sl,
    )
    response = network_coordinator_client.post(url, data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not event.questions.filter(label_en="Lunch").exists()


def test_deleting_the_built_in_question_switches_it_off(network_coordinator_client):
    event = EventFactory()
    url = reverse("admin:events_event_change", args=[event.pk])
    data = _change_form_data(network_coordinator_client.get(url))
    data["questions-0-DELETE"] = "on"
    assert network_coordinator_client.post(url, data).status_code == 302
    assert not event.questions.exists()


def test_a_partner_coordinator_sees_the_questions_of_their_own_events_only(client, coordinator_a, partner_a):
    mine, theirs = EventFactory(title="Ours"), EventFactory(title="Theirs")
    mine.organisers.add(partner_a)
    RegistrationQuestion.objects.create(event=mine, label_en="Our question")
    client.force_login(coordinator_a)
    html = client.get(reverse("admin:events_event_change", args=[mine.pk])).content.decode()
    assert "Our question" in html and "Access needs or questions for the organisers" in html
    assert client.get(reverse("admin:events_event_change", args=[theirs.pk])).status_code in (302, 403, 404)


def test_a_partner_coordinator_allowed_to_edit_events_adds_a_question_to_their_own(client, coordinator_a, partner_a):
    coordinator_a.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="events", codename__in=[
            "change_event", "add_registrationquestion", "change_registrationquestion", "delete_registrationquestion",
            "view_registrationquestion",
        ])
    )
    mine, theirs = EventFactory(title="Ours"), EventFactory(title="Theirs")
    mine.organisers.add(partner_a)
    client.force_login(coordinator_a)
    url = reverse("admin:events_event_change", args=[mine.pk])
    data = _new_question(_change_form_data(client.get(url)), 1, kind="yes_no", label_en="Bringing a laptop?",
                         label_sl="Prinesete prenosnik?")
    assert client.post(url, data).status_code == 302
    assert mine.questions.filter(label_sl="Prinesete prenosnik?").exists()
    other = reverse("admin:events_event_change", args=[theirs.pk])
    assert client.post(other, data).status_code in (302, 403, 404)
    assert not theirs.questions.filter(label_sl="Prinesete prenosnik?").exists()


# --- Answers in the admin --------------------------------------------------------------------------
def test_the_registration_change_view_shows_each_answer_with_its_question(network_coordinator_client):
    registration, _questions = _answered_registration()
    html = network_coordinator_client.get(
        reverse("admin:events_registration_change", args=[registration.pk])
    ).content.decode()
    assert "<strong>Lunch preference</strong><br>Vegan" in html
    assert "<strong>Access needs or questions for the organisers</strong><br>=A ramp, please." in html


def test_the_csv_export_has_a_column_per_question_and_defuses_formulas(network_coordinator_client):
    registration, _questions = _answered_registration()
    other, _ = _answered_registration()  # another event: its built-in question shares the column
    other.answers, other.email = {}, "bo@example.org"
    other.save()
    response = network_coordinator_client.post(
        reverse("admin:events_registration_changelist"),
        {"action": "export_csv", "_selected_action": [registration.pk, other.pk]},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    assert header.count("Access needs or questions for the organisers") == 1 and "Lunch preference" in header
    by_email = {row[header.index("email")]: row for row in rows[1:]}
    ana = by_email["ana@example.org"]
    assert ana[header.index("Lunch preference")] == "Vegan"
    assert ana[header.index("Access needs or questions for the organisers")] == "'=A ramp, please."


# --- Personal data ---------------------------------------------------------------------------------
def test_the_gdpr_export_gives_each_answer_with_its_question():
    registration, questions = _answered_registration()
    (row,) = events_personal_data.Registrations().export("ana@example.org")["registrations"]
    assert {"question_id": str(questions["diet"].pk), "question": "Lunch preference", "answer": "Vegan"} in row["answers"]
    assert row["time_zone"] == "Europe/Riga"


def test_erasure_removes_the_answers():
    registration, _questions = _answered_registration()
    events_personal_data.Registrations().erase("ana@example.org")
    registration.refresh_from_db()
    assert registration.answers == {} and registration.time_zone == "" and registration.email.endswith("@invalid")


def test_retention_removes_the_answers_of_old_sessions_only():
    start = timezone.now() - timedelta(days=400)
    old, _ = _answered_registration(start=start, end=start + timedelta(hours=1))
    recent, _ = _answered_registration()
    events_personal_data.Registrations().apply_retention(now=timezone.now())
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.answers == {} and old.time_zone == ""
    assert recent.answers and recent.time_zone == "Europe/Riga"
