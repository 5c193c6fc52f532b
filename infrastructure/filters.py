"""Filters for ``/infrastructure/``: kind, region, partner, free of charge only, and a search."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.collation import sorted_choices
from core.content import current_language
from network.filters import PartnerFilterForm, RecordNameChoiceFilter
from network.models import SEARCH_MAX_LENGTH, Partner

from .models import Resource


def offering_partners(request=None) -> QuerySet[Partner]:
    """Partners with a public resource (in the visitor's alphabet, see ``RecordNameChoiceFilter``)."""
    return Partner.objects.filter(pk__in=Resource.objects.public().values("partner_id"))


def region_choices() -> list[tuple[str, str]]:
    """The regions of the public resources (their own, or their partner's where they name none),
    sorted in the visitor's alphabet."""
    rows = Resource.objects.public().values_list("region", "partner__region").distinct()
    regions = {own or partners for own, partners in rows if own or partners}
    return sorted_choices(regions, current_language())


class ResourceFilter(django_filters.FilterSet):
    # An over-long query is a form error (each word is a LIKE; the search uses the first words only).
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=SEARCH_MAX_LENGTH)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Resource.Kind.choices, empty_label=_("Any kind"))
    region = django_filters.ChoiceFilter(
        label=_("Region"), choices=[], method="filter_region", empty_label=_("Any region")
    )
    partner = RecordNameChoiceFilter(
        label=_("Offered by"), queryset=offering_partners, field_name="partner", to_field_name="slug",
        empty_label=_("Any partner"),
    )
    free = django_filters.BooleanFilter(
        label=_("Free of charge only"), method="filter_free", widget=forms.CheckboxInput
    )

    class Meta:
        model = Resource
        fields: list[str] = []
        form = PartnerFilterForm

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["region"].extra["choices"] = region_choices()
        # A filter with no choice (no region written yet, no partner offering anything) is not
        # shown at all: an empty select is a dead end.
        if not self.filters["region"].extra["choices"]:
            del self.filters["region"]
        if not offering_partners().exists():
            del self.filters["partner"]

    def filter_q(self, queryset: QuerySet[Resource], name: str, value: str) -> QuerySet[Resource]:
        return queryset.search(value)

    def filter_region(self, queryset: QuerySet[Resource], name: str, value: str) -> QuerySet[Resource]:
        return queryset.in_region(value)

    def filter_free(self, queryset: QuerySet[Resource], name: str, value: bool | None) -> QuerySet[Resource]:
        return queryset.filter(cost=Resource.Cost.FREE) if value else queryset
