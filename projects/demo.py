"""Demo projects for ``make run``: three clearly marked demo projects ("Demo project: …"), led by
partners already in the database. Idempotent (by slug); creates no partners, and nothing when
there are none. DEMO ONLY: never run this in production."""

from __future__ import annotations

from typing import TextIO

from django.db import transaction

from network.models import Partner

from .models import CriterionCheck, ListingCriterion, Project, ReviewState, Topic

DEMO_NOTE_EN = "\n\n*Demo data: this project is made up, to show how the catalogue works.*"
DEMO_NOTE_SL = "\n\n*Demo podatki: projekt je izmišljen in kaže, kako deluje katalog.*"

TOPICS = [
    ("demo-biodiversity", "Biodiversity", "Biotska raznovrstnost"),
    ("demo-air-quality", "Air quality", "Kakovost zraka"),
    ("demo-local-history", "Local history", "Krajevna zgodovina"),
]

PROJECTS = [
    {
        "slug": "demo-project-garden-birds",
        "title_en": "Demo project: Counting garden birds", "title_sl": "Demo projekt: Štejemo ptice na vrtu",
        "summary_en": "Count the birds in your garden for one hour each month.",
        "summary_sl": "Enkrat na mesec eno uro štejte ptice na svojem vrtu.",
        "status": Project.Status.RECRUITING, "online": True, "region": "Osrednjeslovenska",
        "how_en": "Register on the project website and download the counting sheet.",
        "how_sl": "Prijavite se na spletni strani projekta in prenesite popisni list.",
        "topics": ["demo-biodiversity"], "featured": True,
    },
    {
        "slug": "demo-project-air-sensors",
        "title_en": "Demo project: Library air sensors", "title_sl": "Demo projekt: Zračni senzorji v knjižnicah",
        "summary_en": "Borrow a sensor from your library and measure the air on your street.",
        "summary_sl": "V knjižnici si izposodite senzor in izmerite zrak na svoji ulici.",
        "status": Project.Status.ACTIVE, "online": False, "region": "Podravska",
        "how_en": "Ask at the lending desk of a partner library for a sensor kit.",
        "how_sl": "Komplet s senzorjem si izposodite pri izposojevalnem pultu partnerske knjižnice.",
        "topics": ["demo-air-quality"], "featured": False,
    },
    {
        "slug": "demo-project-old-postcards",
        "title_en": "Demo project: Transcribing old postcards",
        "title_sl": "Demo projekt: Prepisujemo stare razglednice",
        "summary_en": "Transcribe handwritten postcards from the local history collection.",
        "summary_sl": "Prepišite rokopisne razglednice iz domoznanske zbirke.",
        "status": Project.Status.COMPLETED, "online": True, "region": "",
        "how_en": "", "how_sl": "",
        "topics": ["demo-local-history"], "featured": False,
    },
]


@transaction.atomic
def load(*, stdout: TextIO) -> None:
    partners = list(Partner.objects.published().network_partners().order_by("id")[:3])
    if not partners:
        stdout.write("No published partners yet: run load_seeds first to create the demo projects.\n")
        return
    topics = {}
    for slug, name_en, name_sl in TOPICS:
        topics[slug], _ = Topic.objects.get_or_create(slug=slug, defaults={"name_en": name_en, "name_sl": name_sl})
    criteria = list(ListingCriterion.objects.filter(active=True))
    created = 0
    for index, data in enumerate(PROJECTS):
        if Project.objects.filter(slug=data["slug"]).exists():
            continue
        project = Project.objects.create(
            slug=data["slug"], title_en=data["title_en"], title_sl=data["title_sl"],
            summary_en=data["summary_en"], summary_sl=data["summary_sl"],
            description_en=data["summary_en"] + DEMO_NOTE_EN, description_sl=data["summary_sl"] + DEMO_NOTE_SL,
            how_to_take_part_en=data["how_en"], how_to_take_part_sl=data["how_sl"],
            lead_partner=partners[index % len(partners)], status=data["status"], online=data["online"],
            region=data["region"], featured=data["featured"], review_state=ReviewState.PUBLISHED,
        )
        project.partners.set([p for p in partners if p.pk != project.lead_partner_id][:1])
        project.topics.set([topics[slug] for slug in data["topics"]])
        CriterionCheck.objects.bulk_create(
            [CriterionCheck(project=project, criterion=c, met=True, note="Demo data.") for c in criteria]
        )
        created += 1
    stdout.write(f"Demo projects: {created} created, {len(PROJECTS) - created} already there.\n")
