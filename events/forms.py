"""The public registration form of an event's page (``/events/<slug>/``, where
``/webinars/<slug>/`` redirects) with the event's own registration questions, and the admin's
forms: a session (dates read and shown in the session's own time zone) and a registration question."""

from __future__ import annotations

import copy
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from core.cache import ContentArea, remembered
from core.content import current_language, localised, marked
from core.forms import KeyedModelChoiceField, PublicForm, TimeZoneField, formfield_assuming_https
from core.zones import zone_or_none

from . import seats
from .feedback import COMMENT_MAX_LENGTH as FEEDBACK_COMMENT_MAX_LENGTH
from .messaging import placeholder_problems, placeholders_in
from .models import Event, RecipientGroup, RegistrantMessage, RegistrationQuestion, Session
from .question_services import canonical_choices

CONSENT_TEXT = _(
    "I agree that the Citizen Science Network stores my name, email address, affiliation and role "
    "to run this event and to write to me about it, as described in the privacy notice."
)


# ----------------------------------------------------------------------------------------
# Registration questions
# ----------------------------------------------------------------------------------------

QUESTION_PREFIX = "question_"
TEXT_MAX_LENGTH = {RegistrationQuestion.Kind.SHORT_TEXT: 300, RegistrationQuestion.Kind.LONG_TEXT: 3000}
CHOICE_KINDS = (RegistrationQuestion.Kind.ONE_CHOICE, RegistrationQuestion.Kind.SEVERAL_CHOICES)
YES, NO = "yes", "no"


def _visitor_choices(question: RegistrationQuestion) -> tuple[list[str], str]:
    """The choices in the visitor's language (else the fallback's), and that language."""
    value, language = localised(question, "choices")
    return [line.strip() for line in value.splitlines() if line.strip()], language


def _choice_labels(question: RegistrationQuestion) -> list[tuple[str, str]]:
    """The choices as the visitor reads them: ``(position, label)``, a fallback marked with its ``lang``."""
    lines, language = _visitor_choices(question)
    if language not in ("", current_language()):
        return [(str(i), format_html('<span lang="{}">{}</span>', language, line)) for i, line in enumerate(lines)]
    return [(str(i), line) for i, line in enumerate(lines)]


def is_askable(question: RegistrationQuestion) -> bool:
    """A choice question without choices cannot be answered: it is left out of the form."""
    return question.kind not in CHOICE_KINDS or bool(_visitor_choices(question)[0])


def question_field(question: RegistrationQuestion) -> forms.Field:
    """The form field asking ``question``: label and help in the visitor's language (a fallback
    marked); text limited in length and free of NUL bytes; choices by position."""
    common: dict[str, Any] = {
        "label": marked(question, "label"),
        "help_text": marked(question, "help_text") if localised(question, "help_text").value else "",
        "required": question.required,
    }
    kind = question.kind
    if kind in TEXT_MAX_LENGTH:
        widget = forms.Textarea(attrs={"rows": 4}) if kind == RegistrationQuestion.Kind.LONG_TEXT else forms.TextInput
        return forms.CharField(
            max_length=TEXT_MAX_LENGTH[kind], widget=widget, validators=[ProhibitNullCharactersValidator()], **common
        )
    if kind == RegistrationQuestion.Kind.ONE_CHOICE:
        return forms.ChoiceField(choices=_choice_labels(question), widget=forms.RadioSelect, **common)
    if kind == RegistrationQuestion.Kind.SEVERAL_CHOICES:
        return forms.MultipleChoiceField(choices=_choice_labels(question), widget=forms.CheckboxSelectMultiple, **common)
    return forms.ChoiceField(choices=[(YES, _("Yes")), (NO, _("No"))], widget=forms.RadioSelect, **common)


def askable_fields(questions: Sequence[RegistrationQuestion]) -> dict[str, forms.Field]:
    """The fields asking the askable ``questions``, in the visitor's language, by form field name."""
    return {f"{QUESTION_PREFIX}{question.pk}": question_field(question) for question in questions if is_askable(question)}


def _stored_choice(question: RegistrationQuestion, position: str, canonical: list[str]) -> str:
    """The English text of the choice at ``position`` (the visitor's own text where English has
    fewer lines)."""
    index = int(position)
    if index < len(canonical):
        return canonical[index]
    return _visitor_choices(question)[0][index]


def answers_from(questions: list[RegistrationQuestion], cleaned_data: dict[str, Any]) -> dict[str, Any]:
    """``{"<question id>": value}`` for the questions answered in ``cleaned_data``."""
    answers: dict[str, Any] = {}
    for question in questions:
        value = cleaned_data.get(f"{QUESTION_PREFIX}{question.pk}")
        if value in (None, "", []):
            continue
        kind = question.kind
        if kind == RegistrationQuestion.Kind.YES_NO:
            answers[str(question.pk)] = value == YES
        elif kind == RegistrationQuestion.Kind.ONE_CHOICE:
            answers[str(question.pk)] = _stored_choice(question, value, canonical_choices(question))
        elif kind == RegistrationQuestion.Kind.SEVERAL_CHOICES:
            canonical = canonical_choices(question)
            answers[str(question.pk)] = [_stored_choice(question, item, canonical) for item in value]
        else:
            answers[str(question.pk)] = value.strip()
    return answers


class SessionChoiceField(KeyedModelChoiceField):
    """A date to choose, checked against its queryset — first against ``loaded``, sessions
    already loaded (no query for a post that chooses one of them), and ``queryset_for_others()``
    builds the queryset for any other choice (building one costs a post more than checking it)."""

    loaded: dict[str, Session] | None = None
    queryset_for_others: Callable[[], QuerySet[Session]] | None = None

    def to_python(self, value: Any) -> Any:
        if self.loaded and str(value) in self.loaded:
            return self.loaded[str(value)]
        if self.queryset_for_others is not None:
            self.queryset = self.queryset_for_others()
        return super().to_python(value)

    def label_from_instance(self, obj: Session) -> SafeString:
        """The date as the pages write it (``events/_when.html``: the session's zone, and the
        visitor's own time added by static/js/local-time.js), and a slot for whether it is full,
        filled each time the page is served (``events.seats``): the page is cached without
        its seats."""
        label = render_to_string("events/_when.html", {"session": obj}).strip()
        return mark_safe(label + seats.full_mark_slot(obj))  # noqa: S308 — a rendered template


class RegistrationForm(PublicForm):
    session = SessionChoiceField(
        label=_("Date"), queryset=Session.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    name = forms.CharField(label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The confirmation, and the link to join an online session, are sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    affiliation = forms.CharField(
        label=_("Affiliation"), max_length=300, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    role = forms.CharField(label=_("Role"), max_length=200, required=False)
    consent = forms.BooleanField(label=CONSENT_TEXT, required=True)
    mailing_list_opt_in = forms.BooleanField(
        label=_("Also subscribe me to the network's mailing list"), required=False, initial=False
    )
    # The browser's IANA zone, filled in by a script; "" without JavaScript or for an unknown zone.
    time_zone = TimeZoneField()

    def __init__(
        self, *args: Any, sessions: QuerySet[Session] | Callable[[], QuerySet[Session]], event: Event,
        loaded_sessions: Sequence[Session] = (), questions: list[RegistrationQuestion] | None = None,
        question_fields: Mapping[str, forms.Field] | None = None, **kwargs: Any,
    ) -> None:
        """``event``'s questions are asked (``questions``: already loaded, in order;
        ``question_fields``: their fields already built, ``RegistrationSetup.question_fields``);
        ``sessions`` are the dates one may choose (or what builds them when needed): a posted
        choice is checked against them (against ``loaded_sessions`` first, those of them already
        loaded), and they are listed unless ``list_sessions`` is called."""
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        if callable(sessions):
            field.queryset, field.queryset_for_others = Session.objects.none(), sessions
        else:
            field.queryset = sessions
        field.loaded = {str(session.pk): session for session in loaded_sessions}
        if questions is None:
            questions = list(RegistrationQuestion.objects.filter(event=event).order_by("order", "id"))
        if question_fields is None:
            question_fields = askable_fields(questions)
        self.questions = [question for question in questions if f"{QUESTION_PREFIX}{question.pk}" in question_fields]
        for question in self.questions:
            name = f"{QUESTION_PREFIX}{question.pk}"
            self.fields[name] = copy.deepcopy(question_fields[name])  # as Django copies the declared fields
        self.order_fields(["session", "name", "email", "affiliation", "role",
                           *(f"{QUESTION_PREFIX}{q.pk}" for q in self.questions), "consent"])

    def list_sessions(self, loaded: list[Session]) -> None:
        """Show these dates — the choosable ones, already loaded — without a query to list them;
        a posted choice is still checked against ``sessions``."""
        field = self.fields["session"]
        choice = field.iterator(field).choice  # the (value, label) of Django's own listing
        field.choices = [choice(session) for session in loaded]

    def answers(self) -> dict[str, Any]:
        """The answers to store (``Registration.answers``): ``{"<question id>": value}``, only the
        questions answered; a choice as its English text. Call after ``is_valid()``."""
        return answers_from(self.questions, self.cleaned_data)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter your name."))
        return name


class RegistrationSetup:
    """What a posted registration form is checked against: the public event (``copy.copy`` it
    before changing it), its questions in order and its sessions (each with ``event`` set; read
    at the first post; a page shown reads them with their counts, ``seats.counted``). A date added since
    it was read is looked up in the database (``SessionChoiceField``)."""

    def __init__(self, event: Event, questions: list[RegistrationQuestion]) -> None:
        self.event = event
        self.questions = questions
        self._question_fields: dict[str, dict[str, forms.Field]] = {}

    def question_fields(self) -> dict[str, forms.Field]:
        """The fields asking the questions in the visitor's language (``askable_fields``), built
        once per language: a form copies them, as it copies its declared fields."""
        language = current_language()
        fields = self._question_fields.get(language)
        if fields is None:
            fields = self._question_fields[language] = askable_fields(self.questions)
        return fields

    @cached_property
    def sessions(self) -> list[Session]:
        sessions = list(Session.objects.filter(event=self.event).order_by("start"))
        for session in sessions:
            session.event = self.event
        return sessions

    def open_at(self, now: datetime) -> list[Session]:
        """The sessions taking registrations at ``now``."""
        return [session for session in self.sessions if session.is_open_for_registration(now)]


def registration_setup(slug: str) -> RegistrationSetup | None:
    """The public event ``slug`` with its questions and sessions (None if there is none), kept in
    this process while the events area is unchanged (``core.cache.remembered``): the burst of
    posts after an announcement checks its forms without a query. Registering itself reads the
    session again under its lock."""

    def build() -> RegistrationSetup | None:
        event = Event.objects.published().filter(slug=slug).first()
        if event is None:
            return None
        return RegistrationSetup(event, list(RegistrationQuestion.objects.filter(event=event).order_by("order", "id")))

    return remembered(f"events:registration-setup:{slug}", areas=[ContentArea.EVENTS], build=build)


def open_sessions(event_id: int, *, now: datetime | None = None, counts: bool = True) -> QuerySet[Session]:
    """Sessions of an event that take registrations now (or at ``now``), with their counts (one
    query; ``counts=False`` without them, enough to check a posted choice)."""
    sessions = Session.objects.filter(event_id=event_id).open_for_registration(now=now)
    return (sessions.with_counts() if counts else sessions).order_by("start")




# ----------------------------------------------------------------------------------------
# Admin
# ----------------------------------------------------------------------------------------

WALL_CLOCK_FIELDS = ("start", "end", "registration_opens_at", "registration_closes_at")
MOVE_FIELDS = frozenset({"start", "end", "time_zone"})


class WallClockDateTimeField(forms.SplitDateTimeField):
    """A date and a time as typed, without a time zone (a naive datetime):
    ``SessionAdminForm.clean`` places it in the session's own zone. The stock field would read
    it in the server's zone."""

    def compress(self, data_list: list[Any]) -> datetime | None:
        if not data_list:
            return None
        if data_list[0] in self.empty_values:
            raise forms.ValidationError(self.error_messages["invalid_date"], code="invalid_date")
        if data_list[1] in self.empty_values:
            raise forms.ValidationError(self.error_messages["invalid_time"], code="invalid_time")
        return datetime.combine(*data_list)


def _wall_clock_field(name: str, *, required: bool) -> WallClockDateTimeField:
    model_field = Session._meta.get_field(name)
    help_text = _("In the session's time zone.")
    if model_field.help_text:
        help_text = format_lazy("{} {}", model_field.help_text, help_text)
    return WallClockDateTimeField(
        label=capfirst(model_field.verbose_name),
        required=required,
        widget=admin_widgets.AdminSplitDateTime,
        help_text=help_text,
    )


class SessionAdminForm(forms.ModelForm):
    """A session in the admin (inline and on its own page). Start, end and the registration
    window are wall-clock times in the session's ``time_zone`` — as typed, and as shown for an
    existing session — not in the server's zone. A cancelled session cannot be moved."""

    start = _wall_clock_field("start", required=True)
    end = _wall_clock_field("end", required=True)
    registration_opens_at = _wall_clock_field("registration_opens_at", required=False)
    registration_closes_at = _wall_clock_field("registration_closes_at", required=False)

    class Meta:
        model = Session
        fields = [
            "event", "start", "end", "time_zone", "capacity", "has_waiting_list", "registration_opens_at",
            "registration_closes_at", "is_demo",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            zone = self.instance.tz
            for name in WALL_CLOCK_FIELDS:
                value = getattr(self.instance, name)
                if value is not None:
                    # To the second, as the widget shows it, so an untouched field is unchanged.
                    self.initial[name] = timezone.localtime(value, zone).replace(tzinfo=None, microsecond=0)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        zone: zoneinfo.ZoneInfo | None = zone_or_none(cleaned.get("time_zone") or "")
        if zone is None:  # the time zone has its own error; keep the values comparable
            zone = timezone.get_current_timezone()
        moved = self.instance.pk is not None and bool(MOVE_FIELDS & set(self.changed_data))
        for name in WALL_CLOCK_FIELDS:
            value = cleaned.get(name)
            if value is None or timezone.is_aware(value):
                continue
            if self.instance.pk is not None and name not in self.changed_data and not moved:
                cleaned[name] = getattr(self.instance, name)  # untouched: keep the stored instant
                continue
            aware = value.replace(tzinfo=zone)
            if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:  # in a DST gap
                self.add_error(
                    name,
                    _("%(time)s does not exist in the time zone %(zone)s (the clocks change then).")
                    % {"time": value.strftime("%Y-%m-%d %H:%M"), "zone": zone.key},
                )
                continue
            cleaned[name] = aware
        if moved and self._is_cancelled(cleaned.get("event")):
            raise forms.ValidationError(
                _("This session is cancelled (or its event is), so it cannot be moved: its registrants "
                  "have been told it will not take place."),
                code="cancelled",
            )
        return cleaned

    def _is_cancelled(self, event: Event | None) -> bool:
        """The session, or its event as being saved (in the event's inline the parent form's
        instance, with the status just chosen), is cancelled."""
        if event is not None:
            self.instance.event = event  # what the form is about to save anyway
        return self.instance.is_cancelled


class RegistrationQuestionAdminForm(forms.ModelForm):
    """A question in the event's admin (both languages side by side, ``BothLanguagesMixin``).
    A choice question needs at least two choices in English, and a Slovenian list, where there
    is one, must have as many lines: answers are stored as the English choice at the same position."""

    class Meta:
        model = RegistrationQuestion
        fields = "__all__"  # noqa: DJ007 — the admin chooses the fields (each in both languages)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("kind") not in CHOICE_KINDS:
            return cleaned
        counts = {
            name: len([line for line in (cleaned.get(name) or "").splitlines() if line.strip()])
            for name in ("choices_en", "choices_sl")
        }
        if counts["choices_en"] < 2:
            self.add_error("choices_en", _("Give at least two choices, one per line."))
        elif counts["choices_sl"] and counts["choices_sl"] != counts["choices_en"]:
            self.add_error(
                "choices_sl",
                _("Give as many choices in Slovenian as in English (%(count)d), in the same order.")
                % {"count": counts["choices_en"]},
            )
        return cleaned


# ----------------------------------------------------------------------------------------
# Writing to registrants (the admin) and the feedback form (public, at the signed link)
# ----------------------------------------------------------------------------------------


class RegistrantMessageAdminForm(forms.ModelForm):
    """A message to registrants: the session must be one of the event's; a message names its
    recipients, a follow-up is for one session that has ended; placeholders must be known, and
    ``{join_link}`` only where every recipient has a seat to join (``events.messaging.placeholder_problems``)."""

    recipients = forms.MultipleChoiceField(
        label=_("recipients"),
        choices=RecipientGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("For a message: the registrants to write to, by status (several may be ticked). "
                    "A follow-up goes to those who attended, and those who did not if you write them a text."),
    )

    class Meta:
        model = RegistrantMessage
        fields = "__all__"  # noqa: DJ007 — the admin chooses the fields (each in both languages)
        formfield_callback = formfield_assuming_https

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        event, session, kind = cleaned.get("event"), cleaned.get("session"), cleaned.get("kind")
        if event is not None and session is not None and session.event_id != event.pk:
            self.add_error("session", _("Choose a session of this event."))
        if kind == RegistrantMessage.Kind.MESSAGE and not cleaned.get("recipients"):
            self.add_error("recipients", _("Choose at least one group of registrants."))
        if kind == RegistrantMessage.Kind.FOLLOW_UP:
            if session is None:
                self.add_error("session", _("A follow-up is about one session: choose it."))
            elif session.end > timezone.now():
                self.add_error("session", _("This session has not ended yet: send its follow-up afterwards."))
        for name in ("subject_en", "subject_sl", "absent_subject_en", "absent_subject_sl"):
            if placeholders_in(cleaned.get(name) or "") and name in self.fields:
                self.add_error(name, _("Placeholders work in the text, not in the subject."))
        for name in ("body_en", "body_sl", "absent_body_en", "absent_body_sl"):
            if name not in self.fields:
                continue
            for problem in placeholder_problems(
                texts=[cleaned.get(name) or ""], kind=kind or "", recipients=cleaned.get("recipients") or [],
                event=event,
            ):
                self.add_error(name, problem)
        return cleaned


RATING_CHOICES = [
    ("1", _("1 — poor")),
    ("2", _("2 — fair")),
    ("3", _("3 — good")),
    ("4", _("4 — very good")),
    ("5", _("5 — excellent")),
]


class FeedbackForm(PublicForm):
    rating = forms.TypedChoiceField(
        label=_("How was the session?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a rating from 1 to 5."),
            "invalid_choice": _("Choose a rating from 1 to 5."),
        },
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell the organisers?"),
        required=False,
        max_length=FEEDBACK_COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=format_lazy(_("At most {count} characters."), count=FEEDBACK_COMMENT_MAX_LENGTH),
    )
