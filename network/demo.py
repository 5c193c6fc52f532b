"""Demo data for ``make run`` (``manage.py load_demo``): the demo logins and the network's working
groups. Idempotent; creates no partners.

DEMO ONLY: the password below is public (printed by ``make run``); never run this in production.
The working groups are the five the network lists publicly; their mandates here are short
summaries written for the demo (no people, no lead partners: coordinators add those in the
admin). A group that exists already (by slug) is left as it is, so edits made in the admin stay.
"""

from __future__ import annotations

from typing import TextIO

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from core.accounts import NETWORK_COORDINATORS_GROUP

from .models import PARTNER_COORDINATORS_GROUP, Partner, WorkingGroup
from .services import ensure_coordinator_groups

DEMO_PASSWORD = "demo-password-2024"
NETWORK_COORDINATOR_EMAIL = "coordinator@demo.example"
CTK_COORDINATOR_EMAIL = "ctk@demo.example"
CTK_NAME_PREFIX = "Central Technical Library"

# (slug, name in English, name in Slovenian, mandate in English, mandate in Slovenian)
WORKING_GROUPS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "national-citizen-science-event",
        "National citizen science event",
        "Nacionalni dogodek občanske znanosti",
        "Prepares the national citizen science event, one of the measures of the national action plan for "
        "open science: the programme, the partners taking part and how the event is reported.",
        "Pripravlja nacionalni dogodek občanske znanosti, enega od ukrepov nacionalnega akcijskega načrta "
        "odprte znanosti: program, sodelujoče partnerje in poročanje o dogodku.",
    ),
    (
        "handbook",
        "Handbook",
        "Priročnik",
        "Writes and keeps up to date a handbook of citizen science for the network's partners: how to plan a "
        "project, involve volunteers, handle their data and share the results openly.",
        "Pripravlja in posodablja priročnik občanske znanosti za partnerje mreže: kako načrtovati projekt, "
        "vključiti prostovoljce, ravnati z njihovimi podatki in rezultate odprto deliti.",
    ),
    (
        "participation-of-libraries",
        "Participation of libraries",
        "Vključevanje knjižnic",
        "Helps university, public and special libraries take part in citizen science: as meeting places, "
        "lenders of equipment, partners in projects and keepers of the data.",
        "Pomaga visokošolskim, splošnim in specialnim knjižnicam pri vključevanju v občansko znanost: kot "
        "prostorom srečevanja, izposojevalkam opreme, partnericam v projektih in skrbnicam podatkov.",
    ),
    (
        "network-development-strategy",
        "Network development strategy",
        "Strategija razvoja mreže",
        "Drafts the network's development strategy, including a catalogue of the competences citizen science "
        "needs and a programme of training for the partners.",
        "Pripravlja strategijo razvoja mreže, vključno s katalogom kompetenc, ki jih potrebuje občanska "
        "znanost, in programom usposabljanj za partnerje.",
    ),
    (
        "promotion",
        "Promotion",
        "Promocija",
        "Makes citizen science and the network known, including printed posters and leaflets for people "
        "who are not reached online.",
        "Skrbi za prepoznavnost občanske znanosti in mreže, tudi s tiskanimi plakati in zloženkami za "
        "ljudi, ki jih po spletu ne dosežemo.",
    ),
)


def _user(email: str, group_name: str):
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=email, defaults={"email": email})
    user.email = email
    user.is_staff = True
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=group_name))
    # Email verification is mandatory: the demo address is confirmed, so it logs in at once.
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def load_working_groups() -> int:
    """Create the working groups that do not exist yet (by slug); returns how many were created."""
    created = 0
    for slug, name_en, name_sl, mandate_en, mandate_sl in WORKING_GROUPS:
        _, was_created = WorkingGroup.objects.get_or_create(
            slug=slug,
            defaults={
                "name_en": name_en, "name_sl": name_sl, "mandate_en": mandate_en, "mandate_sl": mandate_sl,
                "status": WorkingGroup.Status.ACTIVE,
            },
        )
        created += was_created
    return created


@transaction.atomic
def load(*, stdout: TextIO) -> None:
    ensure_coordinator_groups()
    created = load_working_groups()
    stdout.write(f"Working groups (demo mandates): {created} created, {len(WORKING_GROUPS) - created} already there.\n")
    _user(NETWORK_COORDINATOR_EMAIL, NETWORK_COORDINATORS_GROUP)
    ctk_user = _user(CTK_COORDINATOR_EMAIL, PARTNER_COORDINATORS_GROUP)
    ctk = Partner.objects.filter(name_en__startswith=CTK_NAME_PREFIX).order_by("id").first()
    if ctk is not None:
        ctk.coordinators.add(ctk_user)
    else:
        stdout.write(f"No partner named '{CTK_NAME_PREFIX}…' yet: run load_seeds first to link {CTK_COORDINATOR_EMAIL}.\n")
    stdout.write("Demo logins (demo only) at /admin/:\n")
    stdout.write(f"  network coordinator: {NETWORK_COORDINATOR_EMAIL} / {DEMO_PASSWORD}\n")
    stdout.write(f"  Central Technical Library coordinator: {CTK_COORDINATOR_EMAIL} / {DEMO_PASSWORD}\n")
