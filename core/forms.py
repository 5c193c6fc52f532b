"""What every public form shares: accessible error markup, a honeypot, and input hygiene.

``PublicForm`` renders through ``templates/forms/form.html``: an error summary at the top
(focused by ``static/js/site.js``), each error next to its field and tied to it with
``aria-describedby``, ``aria-invalid`` on invalid fields, required fields marked with an
asterisk and optional ones with "(optional)" — one rule for every form, so a label never says
it itself — checkboxes and radio buttons before their labels, and the words "privacy notice" in
a consent label a link to the privacy notice. Django 5.2's ``bound_field_class`` hook does the
per-field attributes.
"""

from __future__ import annotations

import functools
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

# A BooleanField with one of these names is a consent: its label links to the privacy notice.
CONSENT_FIELD_NAMES = frozenset({"consent"})


def with_privacy_link(label: Any) -> SafeString:
    """``label`` (escaped) with its words "privacy notice" a link to the privacy notice; a label
    without those words gets a link after it."""
    html = str(conditional_escape(label))
    url = reverse("portal:privacy")
    # Translators: the words of a consent text (as they read there, inflected) that link to the privacy notice.
    phrase = str(conditional_escape(pgettext("consent text", "privacy notice")))
    if phrase in html:
        link = format_html('<a href="{}">{}</a>', url, mark_safe(phrase))  # noqa: S308 — escaped above
        return mark_safe(html.replace(phrase, link, 1))  # noqa: S308 — built from escaped parts
    return format_html('{} <a href="{}">{}</a>', mark_safe(html), url, _("Read the privacy notice."))  # noqa: S308


class AccessibleBoundField(forms.BoundField):
    @property
    def error_id(self) -> str:
        return f"{self.auto_id}_error"

    @property
    def summary_target(self) -> str:
        """The id the error summary links to: the field, or the first of its radio buttons or checkboxes."""
        if isinstance(self.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
            return f"{self.auto_id}_0"
        return self.auto_id

    @property
    def label_text(self) -> Any:
        """The label as the error summary shows it (no link, no marker)."""
        return self.label

    @property
    def label_html(self) -> Any:
        """The label in its ``<label>`` or ``<legend>``: a consent's "privacy notice" a link."""
        if self.name in CONSENT_FIELD_NAMES and isinstance(self.field, forms.BooleanField):
            return with_privacy_link(self.label_text)
        return self.label_text

    @property
    def marker(self) -> SafeString:
        """After the label: an asterisk for a required field (its ``required`` attribute tells
        screen readers; a group of checkboxes has none, so it says so in words), "(optional)"
        for an optional one."""
        if self.field.required:
            spoken = ""
            if isinstance(self.field.widget, forms.CheckboxSelectMultiple):
                spoken = format_html('<span class="visually-hidden"> ({})</span>', gettext("required"))
            return format_html(' <span class="required-mark" aria-hidden="true">*</span>{}', spoken)
        return format_html(' <span class="optional-mark">{}</span>', gettext("(optional)"))

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        described = attrs.get("aria-describedby", "").split()
        if self.help_text and f"{self.auto_id}_helptext" not in described:
            described.append(f"{self.auto_id}_helptext")
        if self.errors:
            attrs["aria-invalid"] = "true"
            if self.error_id not in described:
                described.insert(0, self.error_id)
        if described:
            attrs["aria-describedby"] = " ".join(described)
        if self.field.required and not isinstance(widget or self.field.widget, forms.CheckboxSelectMultiple):
            attrs["aria-required"] = "true"
        return attrs


@functools.cache
def known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class TimeZoneField(forms.Field):
    """A hidden field a script fills with the browser's IANA time zone ("Europe/Riga"). Never
    an error: empty without JavaScript, and anything that is not a known zone counts as empty."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.HiddenInput(attrs={"data-browser-time-zone": ""}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        if not isinstance(value, str):
            return ""
        value = value.strip()
        return value if len(value) <= 64 and value in known_time_zones() else ""


class HoneypotField(forms.CharField):
    """A field people never see (hidden by CSS, skipped by keyboard) and bots fill in."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Leave this field empty"))
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1", "class": "hp-input"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if value:
            raise ValidationError(_("This form could not be sent. Please try again."), code="honeypot")
        return value


_MAX_KEY = 2**63 - 1


def _check_key(field: forms.ModelChoiceField, value: Any) -> None:
    """A submitted integer key must fit a 64-bit column before it reaches the database: SQLite
    raises OverflowError and PostgreSQL a DataError for larger numbers, which would be a 500."""
    if value in field.empty_values or field.to_field_name:
        return
    if isinstance(field.queryset.model._meta.pk, (models.AutoField, models.BigAutoField, models.IntegerField)):
        try:
            number = int(str(value))
        except ValueError:
            return  # Django's own validation answers "Select a valid choice"
        if not -_MAX_KEY <= number <= _MAX_KEY:
            raise ValidationError(
                field.error_messages["invalid_choice"], code="invalid_choice", params={"value": str(value)[:40]}
            )


class KeyedModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        _check_key(self, value)
        return super().to_python(value)


class KeyedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value: Any) -> Any:
        for item in value if isinstance(value, (list, tuple)) else []:
            _check_key(self, item)
        return super()._check_values(value)


class PublicFormMixin:
    """Accessible rendering, a honeypot named ``website_url``, and rejection of NUL bytes in
    every text field (a NUL byte would otherwise reach PostgreSQL and fail there)."""

    template_name = "forms/form.html"
    bound_field_class = AccessibleBoundField
    required_css_class = "required"
    honeypot_name = "website_url"
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.fields[self.honeypot_name] = HoneypotField()
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(ProhibitNullCharactersValidator())

    @property
    def visible_fields_without_honeypot(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if f.name != self.honeypot_name]  # type: ignore[attr-defined]

    @property
    def honeypot(self) -> forms.BoundField:
        return self[self.honeypot_name]  # type: ignore[index]


class PublicForm(PublicFormMixin, forms.Form):
    pass



# URL fields take "https://" when a coordinator types an address without a scheme (Django 6's
# default, chosen now): for ModelForms as ``Meta.formfield_callback``, and for the admin as
# ``formfield_overrides``.
URL_FIELDS_ASSUME_HTTPS: dict[type[models.Field], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


def formfield_assuming_https(field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)
