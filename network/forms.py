from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PublicForm, formfield_assuming_https
from core.uploads import reencode_image

from .models import Partner


class PartnerAdminForm(forms.ModelForm):
    # Roles are stored as a JSON list; coordinators tick them rather than type JSON.
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Partner.Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Partner
        fields = "__all__"  # noqa: DJ007 — the admin chooses the fields through its fieldsets
        formfield_callback = formfield_assuming_https

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):  # a new upload
            return reencode_image(logo)
        return logo


class JoinForm(PublicForm):
    name = forms.CharField(label=_("Name of the organisation, or your name"), max_length=300)
    acronym = forms.CharField(label=_("Acronym"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("You are"), choices=Partner.Kind.choices, widget=forms.RadioSelect)
    partner_type = forms.ChoiceField(label=_("Type"), choices=Partner.Type.choices)
    roles = forms.MultipleChoiceField(
        label=_("Roles in the network"), choices=Partner.Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000,
        help_text=_("What you do and what you would bring to the network. Markdown is allowed."),
    )
    contact_name = forms.CharField(
        label=_("Contact person"), max_length=200, help_text=_("Private: only the network coordinators see it."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"), max_length=254,
        help_text=_("Private: we use it only to write to you about your application."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=60, required=False, help_text=_("Private: only the network coordinators see it."),
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    website = forms.URLField(label=_("Website"), max_length=200, required=False, assume_scheme="https")
    city = forms.CharField(label=_("City"), max_length=120, required=False)

    # The Partner column each field is stored in (``services.submit_application``); the tests
    # check that every field's max_length matches its column.
    COLUMNS = {
        "name": "name", "acronym": "acronym", "description": "description", "contact_name": "contact_name",
        "email": "application_email", "phone": "application_phone", "website": "website", "city": "city",
    }

    def clean(self):
        data = super().clean()
        if data.get("kind") == Partner.Kind.INDIVIDUAL:
            data["partner_type"] = Partner.Type.INDIVIDUAL
        elif data.get("partner_type") == Partner.Type.INDIVIDUAL:
            self.add_error("partner_type", _("Choose the type of your organisation."))
        return data


class ContactRequestForm(PublicForm):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Email"), max_length=254)  # goes to OutgoingEmail.reply_to
    organisation = forms.CharField(label=_("Organisation"), max_length=300, required=False)
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
