"""Registration questions (issue 12, item 5): the built-in "access needs" question every event
gets, questions of every kind on the event page in both languages, validation, answers stored
(a choice in English), and the hidden time-zone field."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from events import question_services, services
from events.forms import RegistrationForm, open_sessions
from events.models import Registration, RegistrationQuestion

from .factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db

Kind = RegistrationQuestion.Kind


@pytest.fixture
def event_with_questions():
    """An event with one session and a question of each kind (the built-in one too)."""
    event = EventFactory(title="Soil workshop", slug="soil")
    session = SessionFactory(event=event)
    questions = {
        "diet": RegistrationQuestion.objects.create(
            event=event, kind=Kind.ONE_CHOICE, required=True, order=1,
            label_en="Lunch preference", label_sl="Izbira kosila",
            help_text_en="We order food for everyone.", help_text_sl="Hrano naročimo za vse.",
            choices_en="Vegetarian\nVegan\nAnything", choices_sl="Vegetarijansko\nVegansko\nKarkoli",
        ),
        "topics": RegistrationQuestion.objects.create(
            event=event, kind=Kind.SEVERAL_CHOICES, order=2, label_en="Topics of interest", label_sl="Teme",
            choices_en="Soil\nWater\nAir", choices_sl="Tla\nVoda\nZrak",
        ),
        "first": RegistrationQuestion.objects.create(
            event=event, kind=Kind.YES_NO, required=True, order=3, label_en="First citizen-science event?",
            label_sl="Prvi dogodek občanske znanosti?",
        ),
        "town": RegistrationQuestion.objects.create(
            event=event, kind=Kind.SHORT_TEXT, order=4, label_en="Town only in English",
        ),
    }
    questions["access"] = event.questions.get(is_access_needs=True)
    return event, session, questions


def _valid_post(session, questions, **answers) -> dict:
    data = {
        "session": str(session.pk), "name": "Ana Novak", "email": "ana@example.org", "consent": "on",
        f"question_{questions['diet'].pk}": "1", f"question_{questions['first'].pk}": "yes",
    }
    data.update(answers)
    return data


# --- The built-in question -----------------------------------------------------------------------
def test_every_new_event_asks_the_built_in_optional_access_needs_question():
    event = EventFactory()
    (question,) = event.questions.all()
    assert question.is_access_needs and question.kind == Kind.LONG_TEXT and not question.required
    assert question.label_en == "Access needs or questions for the organisers"
    with translation.override("sl"):
        slovenian = gettext(question_services.ACCESS_NEEDS_LABEL)
    # From the catalogue; a catalogue without it leaves Slovenian empty (the marked English fallback).
    expected = slovenian if slovenian != question_services.ACCESS_NEEDS_LABEL else ""
    assert question.label_sl == expected
    question_services.add_access_needs_question(event)  # idempotent
    assert event.questions.count() == 1


def test_the_data_migration_gives_existing_events_the_question_once():
    with_question, without = EventFactory(), EventFactory()
    without.questions.all().delete()
    migration = importlib.import_module("events.migrations.0004_access_needs_question_for_every_event")
    migration.add_question(apps, None)
    migration.add_question(apps, None)
    assert with_question.questions.count() == 1
    (question,) = without.questions.all()
    assert question.is_access_needs and question.kind == Kind.LONG_TEXT and not question.required
    assert question.label_en == "Access needs or questions for the organisers"
    assert question.label_sl == "Potrebe glede dostopnosti ali vprašanja za organizatorje"


def test_a_deleted_built_in_question_is_no_longer_asked(client, django_capture_on_commit_callbacks):
    event = EventFactory()
    SessionFactory(event=event)
    assert "Access needs or questions for the organisers" in client.get(event.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the cached page goes stale with the change
        event.questions.all().delete()
    assert "Access needs" not in client.get(event.get_absolute_url()).content.decode()


# --- On the page, in both languages ------------------------------------------------------------
def test_questions_appear_in_the_visitors_language_with_the_fallback_marked(client, event_with_questions):
    event, _session, questions = event_with_questions
    english = client.get(event.get_absolute_url()).content.decode()
    for text in ("Lunch preference", "We order food for everyone.", "Vegetarian", "Topics of interest", "Water",
                 "First citizen-science event?", "Town only in English", "Access needs or questions"):
        assert text in english, text
    slovenian = client.get("/sl" + event.get_absolute_url()).content.decode()
    for text in ("Izbira kosila", "Hrano naročimo za vse.", "Vegetarijansko", "Teme", "Voda",
                 "Prvi dogodek občanske znanosti?", ">Da<", ">Ne<"):
        assert text in slovenian, text
    assert "Lunch preference" not in slovenian and "Vegetarian<" not in slovenian
    assert '<span lang="en">Town only in English</span>' in slovenian
    # In the order the coordinator chose, the built-in question last.
    positions = [english.index(f'name="question_{questions[key].pk}"') for key in ("diet", "topics", "first", "town", "access")]
    assert positions == sorted(positions)


def test_required_questions_are_marked_and_optional_ones_say_so(client, event_with_questions):
    event, _session, questions = event_with_questions
    html = client.get(event.get_absolute_url()).content.decode()
    diet = html[html.index("Lunch preference"):html.index("Topics of interest")]
    assert 'class="required-mark"' in diet and "(optional)" not in diet
    topics = html[html.index("Topics of interest"):html.index("First citizen-science event?")]
    assert '<span class="optional-mark">(optional)</span>' in topics and "required-mark" not in topics


# --- Validation ----------------------------------------------------------------------------------
def test_a_missing_required_answer_is_an_error_next_to_the_question(client, event_with_questions, settings):
    settings.RATELIMIT_ENABLED = False
    event, session, questions = event_with_questions
    data = _valid_post(session, questions)
    del data[f"question_{questions['diet'].pk}"]
    response = client.post(event.get_absolute_url(), data)
    assert response.status_code == 200 and not Registration.objects.exists()
    html = response.content.decode()
    error_id = f"id_question_{questions['diet'].pk}_error"
    assert f'<p class="field-error" id="{error_id}">This field is required.</p>' in html
    assert f'aria-describedby="{error_id} id_question_{questions["diet"].pk}_helptext"' in html  # the fieldset
    assert f'href="#id_question_{questions["diet"].pk}_0">Lunch preference: This field is required.' in html


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("town", "Ljub\x00ljana", "Null characters are not allowed."),
        ("town", "x" * 301, "at most 300 characters"),
        ("access", "x" * 3001, "at most 3000 characters"),
        ("diet", "7", "Select a valid choice."),
        ("diet", "Vegan", "Select a valid choice."),
        ("topics", ["0", "9"], "Select a valid choice."),
        ("first", "maybe", "Select a valid choice."),
    ],
)
def test_bad_answers_rerender_with_a_message_and_store_nothing(client, event_with_questions, settings, key, value, expected):
    settings.RATELIMIT_ENABLED = False
    event, session, questions = event_with_questions
    response = client.post(event.get_absolute_url(), _valid_post(session, questions, **{f"question_{questions[key].pk}": value}))
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert f'id="id_question_{questions[key].pk}_error"' in response.content.decode()
    assert not Registration.objects.exists()


def test_a_ten_megabyte_answer_is_refused_without_a_500_and_stores_nothing(client, event_with_questions, settings):
    settings.RATELIMIT_ENABLED = False
    event, session, questions = event_with_questions
    data = _valid_post(session, questions, **{f"question_{questions['access'].pk}": "x" * (10 * 1024 * 1024)})
    response = client.post(event.get_absolute_url(), data)
    assert response.status_code in (200, 400)
    assert not Registration.objects.exists()


# --- Answers stored --------------------------------------------------------------------------------
def test_answers_are_stored_with_choices_in_english_whatever_the_visitors_language(event_with_questions):
    event, session, questions = event_with_questions
    data = _valid_post(session, questions, **{
        f"question_{questions['topics'].pk}": ["0", "2"],
        f"question_{questions['town'].pk}": "  Kranj ",
        f"question_{questions['first'].pk}": "no",
    })
    with translation.override("sl"):
        form = RegistrationForm(data, sessions=open_sessions(event.pk), event=event)
        assert form.is_valid(), form.errors
        answers = form.answers()
    assert answers == {
        str(questions["diet"].pk): "Vegan",
        str(questions["topics"].pk): ["Soil", "Air"],
        str(questions["first"].pk): False,
        str(questions["town"].pk): "Kranj",
    }  # the unanswered optional question is left out


def test_a_registration_through_the_page_stores_its_answers(client, event_with_questions, settings):
    settings.RATELIMIT_ENABLED = False
    event, session, questions = event_with_questions
    data = _valid_post(session, questions, **{
        f"question_{questions['access'].pk}": "A step-free entrance, please.", "time_zone": "Europe/Riga",
    })
    response = client.post("/sl" + event.get_absolute_url(), data)
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.answers == {
        str(questions["diet"].pk): "Vegan",
        str(questions["first"].pk): True,
        str(questions["access"].pk): "A step-free entrance, please.",
    }
    assert registration.time_zone == "Europe/Riga"


def test_services_register_keeps_the_forms_answers(event_with_questions):
    event, session, questions = event_with_questions
    form = RegistrationForm(_valid_post(session, questions), sessions=open_sessions(event.pk), event=event)
    assert form.is_valid(), form.errors
    result = services.register(
        session=session, name="Ana", email="ana@example.org", consent_text="I agree.", answers=form.answers(),
    )
    registration = Registration.objects.get(pk=result.registration.pk)
    assert registration.answers == {str(questions["diet"].pk): "Vegan", str(questions["first"].pk): True}


def test_a_choice_question_without_choices_is_not_asked(event_with_questions):
    event, session, questions = event_with_questions
    empty = RegistrationQuestion.objects.create(event=event, kind=Kind.ONE_CHOICE, label_en="Empty")
    form = RegistrationForm(sessions=open_sessions(event.pk), event=event)
    assert f"question_{empty.pk}" not in form.fields and f"question_{questions['diet'].pk}" in form.fields


# --- The hidden time zone --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [("Europe/Riga", "Europe/Riga"), ("", ""), ("Mars/Olympus_Mons", ""), ("Europe/Riga\x00", ""),
     ("../../etc/passwd", ""), ("x" * 5000, "")],
)
def test_the_time_zone_is_kept_when_known_and_ignored_otherwise(event_with_questions, value, expected):
    event, session, questions = event_with_questions
    form = RegistrationForm(
        _valid_post(session, questions, time_zone=value), sessions=open_sessions(event.pk), event=event
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["time_zone"] == expected


def test_the_time_zone_field_is_hidden_for_the_script_to_fill(client, event_with_questions):
    event, _session, _questions = event_with_questions
    html = client.get(event.get_absolute_url()).content.decode()
    assert '<input type="hidden" name="time_zone" data-browser-time-zone="" id="id_time_zone">' in html


# --- Garbage ---------------------------------------------------------------------------------------
GARBAGE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["\x00", "<script>alert(1)</script>", "9" * 30, "-1", "x" * 5000, "yes", "0", "Europe/Riga"]),
)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_garbage_in_the_questions_never_breaks_the_form(client, event_with_questions, settings, data):
    settings.RATELIMIT_ENABLED = False
    event, session, questions = event_with_questions
    names = [f"question_{q.pk}" for q in questions.values()] + ["time_zone"]
    post = _valid_post(session, questions)
    post.update(data.draw(st.dictionaries(st.sampled_from(names), st.one_of(GARBAGE, st.lists(GARBAGE, max_size=3)))))
    before = Registration.objects.count()
    response = client.post(event.get_absolute_url(), post)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert Registration.objects.count() == before
    else:
        registration = Registration.objects.order_by("-pk").first()
        assert all("\x00" not in str(value) for value in registration.answers.values())
        Registration.objects.all().delete()


def test_the_setups_question_fields_are_built_per_language_and_each_form_has_its_own(event_with_questions):
    from events.forms import RegistrationSetup

    event, session, questions = event_with_questions
    setup = RegistrationSetup(event, list(event.questions.order_by("order", "id")))
    diet = f"question_{questions['diet'].pk}"
    with translation.override("en"):
        english = setup.question_fields()
    with translation.override("sl"):
        slovenian = setup.question_fields()
        assert setup.question_fields() is slovenian  # built once for the language
        first = RegistrationForm(sessions=open_sessions(event.pk), event=event, questions=setup.questions,
                                 question_fields=slovenian)
        first.fields[diet].label = "Changed by one form"
        first.fields[diet].choices = [("0", "Only this")]
        second = RegistrationForm(sessions=open_sessions(event.pk), event=event, questions=setup.questions,
                                  question_fields=slovenian)
    assert english[diet].label == "Lunch preference"
    assert second.fields[diet].label == "Izbira kosila"
    assert [label for _, label in second.fields[diet].choices] == ["Vegetarijansko", "Vegansko", "Karkoli"]
    assert slovenian[diet].label == "Izbira kosila"
