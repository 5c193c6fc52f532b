"""Demo offers for ``make run``: three resources, clearly marked as demo data, on partners that
already exist (those with a coordinator login first, so the demo coordinator sees requests to the
first offer, then the first published partners by name). Idempotent (by slug: one loaded before
is left as it is, with any edits); creates no partners.

DEMO ONLY: never run this in production.
"""

from __future__ import annotations

from typing import Any, TextIO

from django.db import transaction

from network.models import Partner

from .models import Resource

DEMO_NOTE_EN = "This is demo data: the offer does not exist."
DEMO_NOTE_SL = "To so demonstracijski podatki: ponudba ne obstaja."

DEMO_RESOURCES: list[dict[str, Any]] = [
    {
        "slug": "demo-water-quality-kit",
        "kind": Resource.Kind.INSTRUMENT,
        "cost": Resource.Cost.FREE,
        "lead_time_days": 7,
        "title_en": "Demo: water quality test kit",
        "title_sl": "Demo: komplet za preverjanje kakovosti vode",
        "summary_en": "A kit for measuring nitrates, phosphates and pH in streams, lent for up to two weeks.",
        "summary_sl": "Komplet za merjenje nitratov, fosfatov in pH v potokih, izposoja do dva tedna.",
        "who_may_use_en": "Schools, associations and citizen scientists",
        "who_may_use_sl": "Šole, društva in ljubiteljski raziskovalci",
    },
    {
        "slug": "demo-reading-room",
        "kind": Resource.Kind.VENUE,
        "cost": Resource.Cost.FREE,
        "lead_time_days": 14,
        "title_en": "Demo: reading room for workshops",
        "title_sl": "Demo: čitalnica za delavnice",
        "summary_en": "A room for up to 30 people with a projector, for workshops on citizen science.",
        "summary_sl": "Prostor za do 30 ljudi s projektorjem, za delavnice o ljubiteljski znanosti.",
        "who_may_use_en": "Partners of the network",
        "who_may_use_sl": "Partnerji mreže",
    },
    {
        "slug": "demo-data-consultancy",
        "kind": Resource.Kind.CONSULTANCY,
        "cost": Resource.Cost.FEE,
        "lead_time_days": None,
        "title_en": "Demo: advice on research data management",
        "title_sl": "Demo: svetovanje pri upravljanju raziskovalnih podatkov",
        "summary_en": "An hour with a data librarian to plan how a project's observations are kept and shared.",
        "summary_sl": "Ura z bibliotekarjem za podatke, da načrtujete hrambo in deljenje opazovanj projekta.",
        "fee_note_en": "Free for the first hour; then by agreement.",
        "fee_note_sl": "Prva ura brezplačno, nato po dogovoru.",
        "who_may_use_en": "Anyone running a citizen science project",
        "who_may_use_sl": "Vsi, ki vodijo projekt občanske znanosti",
    },
]


@transaction.atomic
def load(*, stdout: TextIO) -> None:
    # Partners with a coordinator login first (the demo's own coordinator sees the requests to
    # the first offer, an instrument to borrow, in the admin), then the first by name.
    with_login = list(Partner.objects.published().filter(coordinators__isnull=False).distinct().in_name_order("en"))
    others = Partner.objects.published().exclude(pk__in=[p.pk for p in with_login]).in_name_order("en")
    partners = [*with_login, *others[: len(DEMO_RESOURCES)]][: len(DEMO_RESOURCES)]
    if not partners:
        stdout.write("No published partner yet: run load_seeds first to add the demo infrastructure.\n")
        return
    for index, values in enumerate(DEMO_RESOURCES):
        fields = {key: value for key, value in values.items() if key != "slug"}
        fields["description_en"] = f"{DEMO_NOTE_EN}\n\n{values['summary_en']}"
        fields["description_sl"] = f"{DEMO_NOTE_SL}\n\n{values['summary_sl']}"
        if Resource.objects.filter(slug=values["slug"]).exists():
            continue  # loaded before: a coordinator's edits are kept
        resource = Resource(slug=values["slug"], partner=partners[index % len(partners)], published=True, **fields)
        resource.save()
        stdout.write(f"Demo infrastructure created: {resource.title_en} ({resource.partner.name}).\n")
