from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.content import marked
from core.forms import KeyedModelMultipleChoiceField, PublicForm

from .models import CONSENT_TEXT, MailingList


class ListChoiceField(KeyedModelMultipleChoiceField):
    def label_from_instance(self, obj: MailingList) -> str:
        """The list's name in the visitor's language (a fallback marked with its ``lang``)."""
        name = marked(obj, "name")
        if obj.requires_approval:
            return format_html(_("{name} (a coordinator approves each request)"), name=name)
        return name


class SignupForm(PublicForm):
    """Sign up to one or more lists. No list is ticked in advance; consent is a separate tick."""

    email = forms.EmailField(label=_("Email address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    lists = ListChoiceField(
        label=_("Lists"),
        queryset=MailingList.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one list.")},
    )
    consent = forms.BooleanField(label=CONSENT_TEXT, error_messages={"required": _("Please agree to receive the messages.")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lists"].queryset = MailingList.objects.open_for_signup()


class ManageForm(PublicForm):
    """The signed manage page: the lists ticked are the lists wanted."""

    lists = ListChoiceField(
        label=_("Lists you receive"),
        queryset=MailingList.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Untick a list to leave it. A newly ticked list is confirmed by email first."),
    )
    consent = forms.BooleanField(label=CONSENT_TEXT, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.current = kwargs.pop("current", frozenset())
        super().__init__(*args, **kwargs)
        self.fields["lists"].queryset = MailingList.objects.open_for_signup()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        new = [m for m in cleaned.get("lists") or [] if m.pk not in self.current]
        if new and not cleaned.get("consent"):
            self.add_error("consent", _("Please agree to receive the messages of the lists you added."))
        return cleaned
