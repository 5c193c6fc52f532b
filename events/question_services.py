"""Registration questions: the built-in "access needs" question every event gets, and answers
read back for people (the admin, its CSV export, GDPR exports).

Answers are stored on ``Registration.answers`` keyed by the question's id (a string). A choice
is stored as its text in English — the canonical language, matched by position to the list the
visitor saw — so that an export lists the same answer the same way whichever language people
registered in. Yes/no answers are ``True``/``False``; several choices a list; text a string.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from modeltranslation.settings import AVAILABLE_LANGUAGES
from modeltranslation.utils import build_localized_fieldname

from core.content import in_language

from .models import Event, Registration, RegistrationQuestion

# The built-in question, translated from the catalogue when an event is created.
ACCESS_NEEDS_LABEL = gettext_noop("Access needs or questions for the organisers")
ACCESS_NEEDS_HELP = gettext_noop(
    "For example step-free access, sign-language interpreting, captions, or anything you would like to ask us."
)
ACCESS_NEEDS_ORDER = 900  # after the questions a coordinator adds with the default order (100)
CANONICAL_LANGUAGE = "en"


def _in_every_language(message: str) -> dict[str, str]:
    """``message`` translated into each language, as ``{"en": …, "sl": …}``. A language whose
    catalogue does not translate it gets "" (shown as the marked English fallback), never the
    English text posing as its own."""
    values = {}
    for language in AVAILABLE_LANGUAGES:
        with translation.override(language):
            text = gettext(message)
        values[language] = text if (text != message or language == settings.MODELTRANSLATION_DEFAULT_LANGUAGE) else ""
    return values


def add_access_needs_question(event: Event) -> RegistrationQuestion:
    """Give ``event`` the built-in optional long-text question (idempotent)."""
    existing = event.questions.filter(is_access_needs=True).first()
    if existing is not None:
        return existing
    fields: dict[str, Any] = {}
    for field, message in (("label", ACCESS_NEEDS_LABEL), ("help_text", ACCESS_NEEDS_HELP)):
        for language, text in _in_every_language(message).items():
            fields[build_localized_fieldname(field, language)] = text
    return RegistrationQuestion.objects.create(
        event=event, kind=RegistrationQuestion.Kind.LONG_TEXT, required=False, order=ACCESS_NEEDS_ORDER,
        is_access_needs=True, **fields,
    )


def give_new_event_its_questions(sender: type[Event], instance: Event, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """``post_save`` receiver on Event (``EventsConfig.ready``): a new event — from the admin,
    the seeds loader or the demo data — asks the built-in question. Not for fixtures (``raw``)."""
    if created and not raw:
        add_access_needs_question(instance)


def canonical_choices(question: RegistrationQuestion) -> list[str]:
    """The question's choices in English (the stored form), else in the first language that has any."""
    for language in (CANONICAL_LANGUAGE, *AVAILABLE_LANGUAGES):
        lines = [line.strip() for line in in_language(question, "choices", language).splitlines() if line.strip()]
        if lines:
            return lines
    return []


def answer_text(value: Any) -> str:
    """An answer as one line of text (the admin, the CSV export)."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, (list, tuple)):
        return "; ".join(str(item) for item in value)
    return "" if value is None else str(value)


def question_label(question: RegistrationQuestion | None, key: str, *, canonical: bool = True) -> str:
    """A question's label in English (``canonical``; else in the active language), with the
    other language as the fallback; a deleted question by its former id."""
    if question is None:
        return gettext("Deleted question #%(id)s") % {"id": key}
    if canonical:
        return in_language(question, "label", CANONICAL_LANGUAGE) or str(question.label)
    return str(question.label)


def questions_by_id(registrations: Iterable[Registration]) -> dict[str, RegistrationQuestion]:
    """Every question the ``registrations`` answered or their events ask, by id as a string (one query)."""
    event_ids = {registration.session.event_id for registration in registrations}
    answered = {int(key) for registration in registrations for key in registration.answers or {} if str(key).isdigit()}
    questions = RegistrationQuestion.objects.filter(event_id__in=event_ids) | RegistrationQuestion.objects.filter(
        pk__in=answered
    )
    return {str(question.pk): question for question in questions.order_by("event_id", "order", "id")}


def labelled_answers(
    registration: Registration, questions: dict[str, RegistrationQuestion], *, canonical: bool = True
) -> list[dict[str, Any]]:
    """``[{"question_id": "12", "question": "Access needs…", "answer": …}, …]`` in the questions'
    order, each label in English (``canonical``) or the active language."""
    answers = registration.answers or {}
    order = {key: position for position, key in enumerate(questions)}
    keys = sorted(answers, key=lambda key: (order.get(str(key), len(order)), str(key)))
    return [
        {
            "question_id": str(key),
            "question": question_label(questions.get(str(key)), str(key), canonical=canonical),
            "answer": answers[key],
        }
        for key in keys
    ]


def answer_columns(registrations: list[Registration], questions: dict[str, RegistrationQuestion]) -> tuple[list[str], list[list[str]]]:
    """CSV columns for the answers: one per distinct question label (English), so that the
    built-in question of several events is one column; and each registration's cells."""
    header: list[str] = []
    column_of: dict[str, int] = {}
    for key, question in questions.items():
        label = question_label(question, key)
        if label not in header:
            header.append(label)
        column_of[key] = header.index(label)
    rows = []
    for registration in registrations:
        cells = [""] * len(header)
        for key, value in (registration.answers or {}).items():
            column = column_of.get(str(key))
            if column is not None:
                text = answer_text(value)
                cells[column] = f"{cells[column]} / {text}" if cells[column] else text
        rows.append(cells)
    return header, rows


def blank_answers(registrations: Any) -> int:
    """Remove the answers (and the registrant's time zone) of ``registrations`` (a queryset), for
    erasure and retention. Call before ``services.anonymise_registrations`` when selecting by address."""
    return registrations.exclude(answers={}, time_zone="").update(answers={}, time_zone="")
