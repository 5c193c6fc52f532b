"""The public registration form (shared by ``/events/<slug>/`` and ``/webinars/<slug>/``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.forms import KeyedModelChoiceField, PublicForm

from .models import Session

CONSENT_TEXT = _(
    "I agree that the Citizen Science Network stores my name, email address, affiliation and role "
    "to run this event and to write to me about it, as described in the privacy notice."
)


class SessionChoiceField(KeyedModelChoiceField):
    def label_from_instance(self, obj: Session) -> str:
        start = obj.local_start()
        label = "{} – {} {} ({})".format(
            # Translators: a Django date format (weekday, day, month, year, time) for session dates.
            formats.date_format(start, gettext("l, j F Y, H:i")),
            formats.time_format(obj.local_end(), "H:i"),
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


