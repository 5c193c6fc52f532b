"""Editing a record's texts in both languages in the admin (django-modeltranslation's admin
classes, with labels that name the language and the two languages on one line).

Written here because modeltranslation labels fields "name [en]" and stacks the languages, and its
tabbed variant loads jQuery UI from a CDN that the site's CSP blocks."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from modeltranslation.settings import AVAILABLE_LANGUAGES
from modeltranslation.utils import build_localized_fieldname

from core.content import translated_fields


def _language_label(verbose_name: str, language: str) -> str:
    name, language_name = capfirst(str(verbose_name)), str(dict(settings.LANGUAGES)[language])
    if name.endswith(")"):  # "Description (Markdown)" -> "Description (Markdown, English)"
        return f"{name[:-1]}, {language_name})"
    return f"{name} ({language_name})"


# "Name (English)", "Ime (slovenščina)": evaluated when shown, in the interface language then.
language_label = lazy(_language_label, str)


ONE_LANGUAGE_REQUIRED = _("Required: fill this in in at least one language.")


def _at_least_one_language(form_class: type[forms.BaseForm], model: type) -> type[forms.BaseForm]:
    """``form_class`` whose ``clean`` asks, for each translated field the model requires, for a
    value in at least one language (the error is shown at the field's first language)."""
    required = [field for field in translated_fields(model) if not model._meta.get_field(field).blank]
    if not required:
        return form_class

    def clean(form: forms.BaseForm) -> dict:
        cleaned = super(checked, form).clean()  # type: ignore[misc]
        for field in required:
            shown = [name for name in in_both_languages(field) if name in form.fields]
            if shown and not any((cleaned or {}).get(name) for name in shown):
                form.add_error(shown[0], ONE_LANGUAGE_REQUIRED)
        return cleaned

    checked = type(form_class.__name__, (form_class,), {"clean": clean, "__module__": form_class.__module__})
    return checked


def in_both_languages(*fields: str) -> list[str]:
    """Each field's column in every language, English first (search fields, say: a plain
    ``name`` would search only the interface language's column)."""
    return [build_localized_fieldname(field, language) for field in fields for language in AVAILABLE_LANGUAGES]


class BothLanguagesMixin:
    """Put before modeltranslation's ``TranslationAdmin`` or ``Translation…Inline`` of a model with
    translated fields. Each translated field is edited in every language, the languages side by
    side on one line of the form (a table column each in a tabular inline), each labelled "Name
    (English)", "Name (Slovenian)" in the interface language, read-only too, and marked with its
    ``lang``, so that spelling checkers and screen readers follow the text. Where the model
    requires the field, a value in *one* language is enough (modeltranslation's admin would
    require the English one, so a record written in Slovenian — an application from /sl/join/ —
    could not be saved): ``_at_least_one_language`` checks it.

    Not the tabbed variants: they load jQuery UI from a CDN, which the CSP blocks."""

    def _language_labels(self) -> dict[str, str]:
        """The form's ``Meta.labels``: Django's admin uses them for fields shown read-only too."""
        return {
            build_localized_fieldname(field, language): language_label(
                self.model._meta.get_field(field).verbose_name, language  # type: ignore[attr-defined]
            )
            for field in translated_fields(self.model)  # type: ignore[attr-defined]
            for language in AVAILABLE_LANGUAGES
        }

    def get_form(self, request: HttpRequest, obj=None, **kwargs):  # a ModelAdmin's form
        form = super().get_form(request, obj, **{"labels": self._language_labels(), **kwargs})  # type: ignore[misc]
        return _at_least_one_language(form, self.model)  # type: ignore[attr-defined]

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):  # an inline's formset
        formset = super().get_formset(request, obj, **{"labels": self._language_labels(), **kwargs})  # type: ignore[misc]
        formset.form = _at_least_one_language(formset.form, self.model)  # type: ignore[attr-defined]
        return formset

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and getattr(db_field, "translated_field", None) is not None:
            self._get_widget_from_field(field).attrs["lang"] = db_field.language  # type: ignore[attr-defined]
            if field.required:  # the default language's field of a required text
                field.required = False  # one language is enough: _at_least_one_language
                field.help_text = ONE_LANGUAGE_REQUIRED
        return field

    def get_fieldsets(self, request: HttpRequest, obj=None):
        """modeltranslation lists a field's languages one under the other: put them on one line."""
        return [
            (name, {**options, "fields": self._languages_side_by_side(options["fields"])})
            for name, options in super().get_fieldsets(request, obj)  # type: ignore[misc]
        ]

    def _languages_side_by_side(self, fields) -> list:
        groups = {
            build_localized_fieldname(field, AVAILABLE_LANGUAGES[0]): in_both_languages(field)
            for field in translated_fields(self.model)  # type: ignore[attr-defined]
        }
        line: list = []
        for entry in fields:
            if entry in groups and all(name in fields for name in groups[entry]):
                line.append(tuple(groups[entry]))
            elif not any(isinstance(group, tuple) and entry in group for group in line):
                line.append(entry)
        return line
