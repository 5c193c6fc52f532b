"""The benchmark's data set, in one place: bulk_create with the real model fields.

Derived columns are filled the way the app fills them: ``Partner.search_text`` through
``Partner.compute_search_text()`` (what ``Partner.save`` does). Deterministic (seeded RNG), so
two runs measure the same rows.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

FULL = {"partners": 2000, "working_groups": 50, "events": 200, "sessions_per_event": 3,
        "registrations": 50_000, "subscribers": 20_000}
QUICK = {"partners": 200, "working_groups": 10, "events": 20, "sessions_per_event": 3,
         "registrations": 2_000, "subscribers": 2_000}

BATCH = 2000
REGIONS = ["Osrednjeslovenska", "Podravska", "Savinjska", "Gorenjska", "Goriška", "Obalno-kraška",
           "Jugovzhodna Slovenija", "Pomurska", "Koroška", "Zasavska", "Posavska", "Primorsko-notranjska"]
CITIES = ["Ljubljana", "Maribor", "Celje", "Kranj", "Koper", "Novo mesto", "Velenje", "Nova Gorica",
          "Murska Sobota", "Ptuj", "Trbovlje", "Kamnik", "Jesenice", "Škofja Loka", "Domžale"]
WORDS = ["knjižnica", "univerza", "inštitut", "društvo", "center", "zavod", "fakulteta", "muzej",
         "arhiv", "šola", "observatorij", "laboratorij"]
TOPICS = ["biodiversity", "air quality", "water", "birds", "heritage", "astronomy", "open data",
          "soil", "pollinators", "noise", "light pollution", "climate"]

# What the page benchmarks ask for (a term found in many partners, and two filters).
SEARCH_TERM = "ljubljana"
TWO_FILTERS = "partner_type=public_library&region=Osrednjeslovenska"
REGISTRATION_SLUG = "bench-registration-webinar"
LEAST_POST_SLUG = "bench-least-post-webinar"  # its page gives the least post's clients their CSRF tokens
REGISTRATION_CAPACITY = 100


@dataclass
class Dataset:
    partner_slug: str
    webinar_slug: str
    registration_slug: str
    registration_session_id: int
    paced_session_id: int
    least_post_slug: str
    least_session_ids: tuple[int, int]  # for the least registration post (bench/urls.py): at once, 32 clients
    counts: dict[str, int]


def _markdown(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(TOPICS + WORDS) for _ in range(words))
    return f"**{text.capitalize()}.**\n\n- {rng.choice(TOPICS)}\n- {rng.choice(TOPICS)}\n"


@transaction.atomic
def fill(scale: dict[str, int], *, seed: int = 7) -> Dataset:
    from core.collation import sort_key
    from events.models import Event, Registration, Session
    from mailing.models import MailingList, Subscription
    from network.models import NetworkContact, Partner, ServiceModule, ServiceOffer, WorkingGroup
    from portal.models import NewsItem
    from webinars.models import Meeting, Webinar

    rng = random.Random(seed)
    now = timezone.now()

    NetworkContact.objects.create(organisation="Citizen Science Network", address="Trg republike 3, Ljubljana",
                                  phone="+386 1 200 00 00", mailing_lists=["network@example.org"])

    # Partners: ~90 % published network partners; the rest pending, archived or external.
    partners = []
    types = [t for t, _ in Partner.Type.choices if t != "individual"]
    roles = [r for r, _ in Partner.Role.choices]
    for i in range(scale["partners"]):
        city = rng.choice(CITIES)
        kind_word = rng.choice(WORDS)
        p = Partner(
            name=f"{kind_word.capitalize()} {city} {i:04d}",
            acronym=f"P{i:04d}",
            slug=f"partner-{i:04d}",
            kind=Partner.Kind.ORGANISATION,
            partner_type=rng.choice(types),
            roles=rng.sample(roles, rng.randint(1, 3)),
            description=_markdown(rng, 40),
            website=f"https://partner-{i:04d}.example.org/",
            email=f"info@partner-{i:04d}.example.org",
            phone="+386 1 000 00 00",
            address=f"Ulica {i} 1",
            city=city,
            municipality=city,
            region=rng.choice(REGIONS),
            status=rng.choices(["published", "pending", "archived"], weights=[90, 5, 5])[0],
            is_network_partner=rng.random() < 0.95,
            date_joined=date(2020, 1, 1) + timedelta(days=rng.randint(0, 1800)),
        )
        p.search_text = p.compute_search_text()
        p.sort_name_en, p.sort_name_sl = sort_key(p.name, "en"), sort_key(p.name, "sl")
        partners.append(p)
    Partner.objects.bulk_create(partners, batch_size=BATCH)
    partners = list(Partner.objects.order_by("id"))
    published = [p for p in partners if p.status == "published" and p.is_network_partner]

    groups = WorkingGroup.objects.bulk_create(
        [WorkingGroup(name=f"Working group {i:02d} on {rng.choice(TOPICS)}", slug=f"working-group-{i:02d}",
                      mandate=_markdown(rng, 60), status=rng.choice(["proposed", "active", "active", "closed"]),
                      contact_email=f"wg{i}@example.org")
         for i in range(scale["working_groups"])],
        batch_size=BATCH,
    )
    members, leads = [], []
    for p in partners:
        for g in rng.sample(groups, rng.randint(0, 3)):
            members.append(WorkingGroup.members.through(workinggroup_id=g.pk, partner_id=p.pk))
    for g in groups:
        for p in rng.sample(published, 2):
            leads.append(WorkingGroup.lead_partners.through(workinggroup_id=g.pk, partner_id=p.pk))
    WorkingGroup.members.through.objects.bulk_create(members, batch_size=BATCH)
    WorkingGroup.lead_partners.through.objects.bulk_create(leads, batch_size=BATCH)

    modules = ServiceModule.objects.bulk_create(
        [ServiceModule(name=f"Service module {i}", slug=f"service-module-{i}", summary=rng.choice(TOPICS),
                       offers=_markdown(rng, 30), order=i) for i in range(8)]
    )
    offers = []
    for p in partners:
        for m in rng.sample(modules, rng.randint(0, 2)):
            offers.append(ServiceOffer(partner=p, module=m, status=rng.choice(["planned", "piloting", "operational"]),
                                       contact_email=p.email))
    ServiceOffer.objects.bulk_create(offers, batch_size=BATCH)

    # Events: a fifth are webinars; sessions spread from six months ago to six months ahead.
    events = []
    for i in range(scale["events"]):
        webinar = i % 5 == 0
        events.append(Event(
            title=f"{'Webinar' if webinar else 'Workshop'} on {rng.choice(TOPICS)} {i:03d}",
            slug=f"event-{i:03d}",
            kind="webinar" if webinar else rng.choice(["workshop", "training", "conference", "meeting"]),
            summary=f"About {rng.choice(TOPICS)}.",
            description=_markdown(rng, 80),
            language=rng.choice(["en", "sl"]),
            mode="online" if webinar else rng.choice(["in_person", "hybrid", "online"]),
            venue="" if webinar else f"{rng.choice(CITIES)}, dvorana {i}",
            status="published" if i % 20 else "draft",
        ))
    Event.objects.bulk_create(events, batch_size=BATCH)
    events = list(Event.objects.order_by("id"))
    organisers = [Event.organisers.through(event_id=e.pk, partner_id=p.pk)
                  for e in events for p in rng.sample(published, rng.randint(1, 2))]
    Event.organisers.through.objects.bulk_create(organisers, batch_size=BATCH)
    webinars = Webinar.objects.bulk_create(
        [Webinar(event=e, platform="Zoom", duration_minutes=90) for e in events if e.kind == "webinar"]
    )

    sessions = []
    for e in events:
        base = now + timedelta(days=rng.randint(-180, 150), hours=rng.randint(0, 10))
        for k in range(scale["sessions_per_event"]):
            start = base + timedelta(days=7 * k)
            sessions.append(Session(event=e, start=start, end=start + timedelta(hours=2),
                                    time_zone="Europe/Ljubljana", capacity=rng.choice([60, 80, 100, 150])))
    Session.objects.bulk_create(sessions, batch_size=BATCH)
    sessions = list(Session.objects.select_related("event").order_by("id"))
    Meeting.objects.bulk_create(
        [Meeting(session=s, join_url=f"https://zoom.example/j/{s.pk}", meeting_id=str(900000 + s.pk),
                 passcode=uuid.UUID(int=rng.getrandbits(128)).hex[:8])
         for s in sessions if s.event.kind == "webinar"], batch_size=BATCH,
    )

    # Registrations: spread evenly; confirmed up to capacity, then the waiting list; 5 % cancelled.
    registrations = []
    per_session = max(1, scale["registrations"] // len(sessions))
    remainder = scale["registrations"] - per_session * len(sessions)
    for idx, s in enumerate(sessions):
        n = per_session + (1 if idx < remainder else 0)
        confirmed = 0
        for j in range(n):
            if rng.random() < 0.05:
                status = "cancelled"
            elif confirmed < s.capacity:
                status, confirmed = "confirmed", confirmed + 1
            else:
                status = "waitlisted"
            registrations.append(Registration(
                session=s, name=f"Person {idx}-{j}", email=f"person{j}.s{idx}@example.org",
                affiliation=rng.choice(CITIES), consent_text="I agree.", language="en", status=status,
                public_id=uuid.UUID(int=rng.getrandbits(128)),
                confirmed_at=now if status == "confirmed" else None,
                cancelled_at=now if status == "cancelled" else None,
            ))
    Registration.objects.bulk_create(registrations, batch_size=BATCH)

    lists = MailingList.objects.bulk_create(
        [MailingList(name=name, slug=slug, position=i) for i, (name, slug) in
         enumerate([("Network news", "news"), ("Events", "events"), ("Working groups", "working-groups")])]
    )
    Subscription.objects.bulk_create(
        [Subscription(mailing_list=lists[i % len(lists)], email=f"subscriber{i}@example.org",
                      status=rng.choices(["active", "pending", "unsubscribed"], weights=[85, 10, 5])[0],
                      language="sl", source="bench", confirmed_at=now)
         for i in range(scale["subscribers"])],
        batch_size=BATCH,
    )
    NewsItem.objects.bulk_create(
        [NewsItem(title=f"News {i}", slug=f"news-{i}", body=_markdown(rng, 60), summary="News.",
                  published_on=date.today() - timedelta(days=i)) for i in range(12)]
    )

    # The registrations' webinar (two open sessions: 500 at once, 500 from 32 clients) and the
    # least post's (bench/urls.py) alike, so that each page lists only its own two dates.
    start = now + timedelta(days=30)
    bench_session, paced_session = _bench_webinar(REGISTRATION_SLUG, "Registration benchmark webinar", start)
    least = _bench_webinar(LEAST_POST_SLUG, "Least post benchmark webinar", start + timedelta(days=2))

    # A typical page for the GET benchmarks: a webinar with an upcoming session and registrations.
    upcoming = {s.event_id for s in sessions if s.start > now}
    webinar = next((w for w in webinars if w.event_id in upcoming and w.event.status == "published"), webinars[0])
    partner = published[len(published) // 2]
    return Dataset(
        partner_slug=partner.slug,
        webinar_slug=webinar.event.slug,
        registration_slug=REGISTRATION_SLUG,
        registration_session_id=bench_session.pk,
        paced_session_id=paced_session.pk,
        least_post_slug=LEAST_POST_SLUG,
        least_session_ids=(least[0].pk, least[1].pk),
        counts=_counts(),
    )


def _bench_webinar(slug: str, title: str, start: datetime) -> tuple[Any, Any]:
    """A published webinar ``slug`` with two open sessions of REGISTRATION_CAPACITY seats, a
    day apart from ``start``, each with its meeting."""
    from events.models import Event, Session
    from webinars.models import Meeting, Webinar

    event = Event.objects.create(title=title, slug=slug, kind="webinar", mode="online", status="published",
                                 summary="Benchmark.", description="Benchmark.")
    Webinar.objects.create(event=event, duration_minutes=60)
    sessions = []
    for day in range(2):
        begins = start + timedelta(days=day)
        session = Session.objects.create(event=event, start=begins, end=begins + timedelta(hours=1),
                                         capacity=REGISTRATION_CAPACITY, has_waiting_list=True)
        Meeting.objects.create(session=session, join_url=f"https://zoom.example/j/{session.pk}",
                               meeting_id=str(session.pk), passcode="bench")
        sessions.append(session)
    return sessions[0], sessions[1]


def _counts() -> dict[str, Any]:
    from events.models import Event, Registration, Session
    from mailing.models import Subscription
    from network.models import Partner, WorkingGroup

    return {
        "partners": Partner.objects.count(),
        "working_groups": WorkingGroup.objects.count(),
        "events": Event.objects.count(),
        "sessions": Session.objects.count(),
        "registrations": Registration.objects.count(),
        "subscribers": Subscription.objects.count(),
    }
