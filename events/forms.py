"""The public registration form (shared by ``/events/<slug>/`` and ``/webinars/<slug>/``) and
the admin's session form (dates read and shown in the session's own time zone)."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from core.forms import KeyedModelChoiceField, PublicForm

from .models import Event, Session

CONSENT_TEXT = _(
    "I agree that the Citizen Science Network stores my name, email address, affiliation and role "
    "to run this event and to write to me about it, as described in the privacy notice."
)


class SessionChoiceField(KeyedModelChoiceField):
    def label_from_instance(self, obj: Session) -> str:
        start = obj.local_start()
        label = "{}–{} {} ({})".format(
            formats.date_format(start, "DATETIME_FORMAT"),
            formats.time_format(obj.local_end(), "TIME_FORMAT"),
            start.strftime("%Z"),
            obj.time_zone,
        )
        confirmed = getattr(obj, "confirmed_count", None)
        if confirmed is not None and confirmed >= obj.capacity:
            label += " · " + str(_("full, waiting list") if obj.has_waiting_list else _("full"))
        return label


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
    role = forms.CharField(label=_("Role (optional)"), max_length=200, required=False)
    consent = forms.BooleanField(label=CONSENT_TEXT, required=True)
    mailing_list_opt_in = forms.BooleanField(
        label=_("Also subscribe me to the network's mailing list (optional)."), required=False, initial=False
    )

    def __init__(self, *args: Any, sessions: QuerySet[Session], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter your name."))
        return name


def open_sessions(event_id: int) -> QuerySet[Session]:
    """Sessions of an event that take registrations now, with their counts (one query)."""
    return Session.objects.filter(event_id=event_id).open_for_registration().with_counts().order_by("start")




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
        zone: zoneinfo.ZoneInfo | None = None
        try:
            zone = zoneinfo.ZoneInfo(cleaned["time_zone"]) if cleaned.get("time_zone") else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
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
