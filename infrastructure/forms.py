"""The public "request to use" form on a resource's page, and the admin's resource form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PublicForm
from core.uploads import reencode_image

from .models import Resource

CONSENT_TEXT = _(
    "I agree that my name, email address, organisation and message are sent to the partner offering "
    "this resource and to the network coordinator, to answer my request, as described in the privacy notice."
)


class DateInput(forms.DateInput):
    """The browser's date picker; the value is written as it expects it (ISO 8601), which the
    field also accepts from browsers without one."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class UseRequestForm(PublicForm):
    name = forms.CharField(label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("Email address"), max_length=254,
        help_text=_("The partner answers you here. We also send you a confirmation."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation = forms.CharField(
        label=_("Organisation"), max_length=300, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    wanted_from = forms.DateField(
        label=_("Wanted from"), required=False, widget=DateInput,
        help_text=_("The first day you would need it, e.g. 2026-05-04."),
    )
    wanted_to = forms.DateField(
        label=_("Wanted until"), required=False, widget=DateInput, help_text=_("The last day, e.g. 2026-05-08.")
    )
    message = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you would like to do with it, and anything the partner should know."),
    )
    consent = forms.BooleanField(label=CONSENT_TEXT, required=True)

    def clean_wanted_from(self):
        value = self.cleaned_data.get("wanted_from")
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("This date has passed. Choose today or a later day."), code="past")
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("wanted_from"), data.get("wanted_to")
        if start and end and end < start:
            self.add_error("wanted_to", _("The last day cannot be before the first day."))
        return data


class ResourceAdminForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = "__all__"  # noqa: DJ007 — the admin chooses the fields through its fieldsets

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and hasattr(image, "content_type"):  # a new upload
            return reencode_image(image)
        return image
