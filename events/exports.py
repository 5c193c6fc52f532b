"""Registrations as a spreadsheet (CSV or Excel) for the coordinators: of a session, an event or
any selection, one row per registration, every registration question a column of its own.

Column names and question labels are in the coordinator's language (the admin's active
language); a choice answer is written as the choice's text in that language. Times are the
session's own time zone (its column says which). Every cell goes through ``core.csv_export``
(formulas defused) and every download leaves an audit entry (who, what, how many rows, format).
Who may export what is the admin's business (``events.admin``): this module exports the queryset
it is given.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from core import audit
from core.content import in_language
from core.csv_export import csv_response, xlsx_response

from . import question_services
from .models import Registration, RegistrationQuestion

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)


def _base_header() -> list[str]:
    return [
        pgettext("export column", "event"),
        pgettext("export column", "session start"),
        pgettext("export column", "session time zone"),
        pgettext("export column", "name"),
        pgettext("export column", "email"),
        pgettext("export column", "affiliation"),
        pgettext("export column", "role"),
        pgettext("export column", "status"),
        pgettext("export column", "registered at"),
        pgettext("export column", "registrant's time zone"),
        pgettext("export column", "language"),
        pgettext("export column", "mailing-list opt-in"),
    ]


def _tail_header() -> list[str]:
    return [pgettext("export column", "attended"), pgettext("export column", "minutes attended")]


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return gettext("yes") if value else gettext("no")


def _choice_in_language(question: RegistrationQuestion, value: str) -> str:
    """A stored (English) choice as the same choice in the active language, matched by position."""
    canonical = question_services.canonical_choices(question)
    if value not in canonical:
        return value
    language = translation.get_language() or question_services.CANONICAL_LANGUAGE
    local = [line.strip() for line in in_language(question, "choices", language).splitlines() if line.strip()]
    index = canonical.index(value)
    return local[index] if index < len(local) else value


def _answer(question: RegistrationQuestion | None, value: Any) -> str:
    if question is not None and question.kind in (question.Kind.ONE_CHOICE, question.Kind.SEVERAL_CHOICES):
        if isinstance(value, (list, tuple)):
            value = [_choice_in_language(question, str(item)) for item in value]
        elif isinstance(value, str):
            value = _choice_in_language(question, value)
    return question_services.answer_text(value)


def table(registrations: QuerySet[Registration]) -> tuple[list[str], list[list[Any]]]:
    """The header and the rows (cells as Python values) of ``registrations``, in session then
    registration order. Three queries whatever the number of rows."""
    chosen = list(
        registrations.select_related("session__event").order_by("session__start", "session_id", "created_at", "id")
    )
    questions = question_services.questions_by_id(chosen)
    # One column per distinct label in the coordinator's language (the built-in question of
    # several events is one column), in the questions' order.
    answer_header: list[str] = []
    column_of: dict[str, int] = {}
    for key, question in questions.items():
        label = question_services.question_label(question, key, canonical=False)
        if label not in answer_header:
            answer_header.append(label)
        column_of[key] = answer_header.index(label)
    statuses = dict(Registration.Status.choices)
    rows: list[list[Any]] = []
    for registration in chosen:
        session = registration.session
        cells = [""] * len(answer_header)
        for key, value in (registration.answers or {}).items():
            column = column_of.get(str(key))
            if column is None:
                continue
            text = _answer(questions.get(str(key)), value)
            cells[column] = f"{cells[column]} / {text}" if cells[column] else text
        rows.append(
            [
                str(session.event.title),
                session.local_start(),
                session.time_zone,
                registration.name,
                registration.email,
                registration.affiliation,
                registration.role,
                str(statuses.get(registration.status, registration.status)),
                timezone.localtime(registration.created_at, session.tz),
                registration.time_zone,
                registration.language,
                _yes_no(registration.mailing_list_opt_in),
                *cells,
                _yes_no(registration.attended),
                registration.attended_minutes,
            ]
        )
    return [*_base_header(), *answer_header, *_tail_header()], rows


def export_registrations(
    *,
    registrations: QuerySet[Registration],
    file_format: str,
    actor: Any,
    target: Model | None = None,
    extra: dict[str, Any] | None = None,
    name: str = "registrations",
) -> HttpResponse:
    """The download of ``registrations`` in ``file_format`` (``CSV`` or ``XLSX``), recorded in the
    audit log against ``target`` (the session or event exported, if one; ``extra``: more detail
    for the entry, such as how many were selected — counts, never personal data)."""
    if file_format not in FORMATS:
        raise ValueError(f"Unknown export format: {file_format}")
    header, rows = table(registrations)
    filename = f"{name}.{file_format}"
    if file_format == CSV:
        response = csv_response(filename, header, rows, bom=True)
    else:
        response = xlsx_response(filename, header, rows, sheet_title=gettext("Registrations"))
    audit.record(
        actor=actor,
        action=audit.Action.REGISTRATIONS_EXPORTED,
        target=target,
        detail={"format": file_format, "rows": len(rows), "columns": len(header), **(extra or {})},
    )
    return response
