"""The site's own public form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import PublicForm


class AccessibilityFeedbackForm(PublicForm):
    """Feedback on the accessibility statement page: a barrier someone met, sent to the coordinators."""

    message = forms.CharField(
        label=_("What did you find difficult or impossible to use?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    page = forms.CharField(
        label=_("Page or content concerned"),
        max_length=500,
        required=False,
        help_text=_("The address of the page, or a description of the content."),
    )
    name = forms.CharField(
        label=_("Your name"), max_length=200, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We use it only to answer you."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise ValidationError(_("Please describe the problem."))
        return message
