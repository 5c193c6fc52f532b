"""Filters for ``/events/``: when (upcoming or past), kind, mode, language, organiser."""

from __future__ import annotations

import django_filters
from django.db.models import F, Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.filters import RecordNameChoiceFilter
from network.models import Partner

from .models import Event


def organiser_choices(request) -> QuerySet[Partner]:
    """Partners who organise a public event (in the visitor's alphabet, see ``RecordNameChoiceFilter``)."""
    return Partner.objects.filter(organised_events__status__in=["published", "cancelled"]).distinct()


class EventFilter(django_filters.FilterSet):
    when = django_filters.ChoiceFilter(
        label=_("When"),
        choices=[("upcoming", _("Upcoming")), ("past", _("Past"))],
        method="filter_when",
        empty_label=None,
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Event.Kind.choices, empty_label=_("Any kind"))
    mode = django_filters.ChoiceFilter(label=_("Mode"), choices=Event.Mode.choices, empty_label=_("Any mode"))
    language = django_filters.ChoiceFilter(
        label=_("Language"), choices=Event.Language.choices, empty_label=_("Any language")
    )
    organiser = RecordNameChoiceFilter(
        label=_("Organiser"), field_name="organisers", queryset=organiser_choices, empty_label=_("Any organiser"),
        to_field_name="slug",
    )

    class Meta:
        model = Event
        fields = ["when", "kind", "mode", "language", "organiser"]

    def __init__(self, data=None, *args, **kwargs) -> None:
        data = data.copy() if data is not None else {}
        if not data.get("when"):
            data["when"] = "upcoming"
        super().__init__(data, *args, **kwargs)

    def filter_when(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        now = timezone.now()
        queryset = queryset.annotate(
            last_end=Max("sessions__end"),
            next_start=Min("sessions__start", filter=Q(sessions__end__gte=now)),
        )
        if value == "past":
            return queryset.filter(last_end__lt=now).order_by("-last_end", "id")
        # Upcoming includes events whose dates are still to be announced.
        return queryset.filter(Q(last_end__gte=now) | Q(last_end__isnull=True)).order_by(
            F("next_start").asc(nulls_last=True), "id"
        )

