"""Filters for ``/projects/``: words, topic, region, status, partner and "you can join now".

Like the partner directory's, a filter with nothing to choose from (no topic, region or partner on
a published project yet) is not shown: an empty select is a dead end."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.collation import sorted_choices
from core.content import current_language
from network.filters import PartnerFilterForm, RecordNameChoiceFilter
from network.models import SEARCH_MAX_LENGTH, Partner

from .models import Project, Topic


def topic_choices(request=None) -> QuerySet[Topic]:
    """Topics of at least one published project."""
    return Topic.objects.filter(projects__review_state=Project.ReviewState.PUBLISHED).distinct()


def partner_choices(request=None) -> QuerySet[Partner]:
    """Published partners leading or taking part in a published project."""
    public = Project.objects.public()
    return Partner.objects.published().filter(
        Q(pk__in=public.values("lead_partner_id")) | Q(pk__in=public.values("partners__id"))
    )


class ProjectFilter(django_filters.FilterSet):
    # An over-long query is a form error (each word is a LIKE; the search uses the first words only).
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=SEARCH_MAX_LENGTH)
    topic = RecordNameChoiceFilter(
        label=_("Topic"), queryset=topic_choices, field_name="topics", to_field_name="slug", empty_label=_("Any topic"),
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"), choices=[], method="filter_region", empty_label=_("Any region")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Project.Status.choices, empty_label=_("Any status"))
    partner = RecordNameChoiceFilter(
        label=_("Partner"), queryset=partner_choices, method="filter_partner", to_field_name="slug",
        empty_label=_("Any partner"),
    )
    join = django_filters.BooleanFilter(
        label=_("Only projects you can join now"), method="filter_join", widget=forms.CheckboxInput
    )

    class Meta:
        model = Project
        fields: list[str] = []
        form = PartnerFilterForm

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        regions = (
            Project.objects.public().exclude(region="").order_by("region").values_list("region", flat=True).distinct()
        )
        # Region names are Slovenian words: sorted in the visitor's alphabet, alike on either database.
        self.filters["region"].extra["choices"] = sorted_choices(regions, current_language())
        for name in ("topic", "region", "partner"):
            if not self._has_choices(name):
                del self.filters[name]

    def _has_choices(self, name: str) -> bool:
        extra = self.filters[name].extra
        if name == "region":
            return bool(extra["choices"])
        return self.filters[name].get_queryset(self.request).exists()

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value)

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(region=value)

    def filter_partner(self, queryset: QuerySet, name: str, value: Partner | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(Q(lead_partner=value) | Q(pk__in=Project.partners.through.objects.filter(
            partner=value).values("project_id")))

    def filter_join(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        return queryset.joinable() if value else queryset
