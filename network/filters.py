from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.collation import sorted_choices
from core.content import current_language, in_reading_order, localised
from core.forms import AccessibleBoundField

from .models import SEARCH_MAX_LENGTH, Partner, ServiceModule, WorkingGroup


class RecordNameChoiceIterator(forms.models.ModelChoiceIterator):
    """The records sorted by name as the visitor reads it, in the visitor's alphabet (the
    database orders ``name`` by the active language's column alone, empty ones first or last)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for record in in_reading_order(self.queryset):
            yield self.choice(record)


class RecordNameChoiceField(forms.ModelChoiceField):
    """A record chosen by its name in the visitor's language (else the other one)."""

    iterator = RecordNameChoiceIterator

    def label_from_instance(self, obj) -> str:
        return localised(obj, "name").value


class RecordNameSelect(forms.Select):
    """An option whose label is a record's name in the other language carries that ``lang``
    (WCAG 3.1.2), as ``{% content %}`` marks it in the page's text."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        record = getattr(value, "instance", None)
        if record is not None:
            language = localised(record, "name").language
            if language and language != current_language():
                option["attrs"]["lang"] = language
        return option


class RecordNameChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = RecordNameChoiceField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", RecordNameSelect)
        super().__init__(*args, **kwargs)


class PartnerFilterForm(forms.Form):
    """Errors tied to their fields (aria-invalid, aria-describedby), as on the public forms."""

    bound_field_class = AccessibleBoundField


class PartnerFilter(django_filters.FilterSet):
    # An over-long query is a form error (each word is a LIKE; the search uses the first words only).
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=SEARCH_MAX_LENGTH)
    kind = django_filters.ChoiceFilter(
        label=_("Organisation or individual"), choices=Partner.Kind.choices, empty_label=_("Both")
    )
    partner_type = django_filters.ChoiceFilter(label=_("Type"), choices=Partner.Type.choices, empty_label=_("Any type"))
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=Partner.Role.choices, method="filter_role", empty_label=_("Any role")
    )
    region = django_filters.ChoiceFilter(label=_("Region"), choices=[], method="filter_region", empty_label=_("Any region"))
    working_group = RecordNameChoiceFilter(
        label=_("Working group"), queryset=WorkingGroup.objects.all(), field_name="working_groups",
        to_field_name="slug", empty_label=_("Any working group"),
    )
    module = RecordNameChoiceFilter(
        label=_("Service module"), queryset=ServiceModule.objects.all(), field_name="service_modules",
        to_field_name="slug", empty_label=_("Any service module"),
    )

    class Meta:
        model = Partner
        fields: list[str] = []
        form = PartnerFilterForm

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        regions = (
            Partner.objects.published().network_partners().exclude(region="")
            .order_by("region").values_list("region", flat=True).distinct()
        )
        # Region names are Slovenian words: sorted in the visitor's alphabet, alike on either database.
        self.filters["region"].extra["choices"] = sorted_choices(regions, current_language())
        # A filter with no choice (no region written yet, no working group or module) is not
        # shown at all: an empty select is a dead end.
        for name in ("region", "working_group", "module"):
            if not self._has_choices(name):
                del self.filters[name]

    def _has_choices(self, name: str) -> bool:
        extra = self.filters[name].extra
        return bool(extra["choices"]) if name == "region" else self.filters[name].queryset.exists()

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value)

    def filter_role(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # roles is a JSON list of fixed tokens; the quoted token is matched in its text form,
        # which behaves the same on SQLite and PostgreSQL (JSON containment is PostgreSQL-only).
        return queryset.filter(roles__icontains=f'"{value}"')

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(region=value)
