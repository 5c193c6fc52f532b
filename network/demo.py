"""Demo logins for ``make run`` (``manage.py load_demo``). Idempotent; creates no partners.

DEMO ONLY: the password below is public (printed by ``make run``); never run this in production.
"""

from __future__ import annotations

from typing import TextIO

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from core.accounts import NETWORK_COORDINATORS_GROUP

from .models import PARTNER_COORDINATORS_GROUP, Partner
from .services import ensure_coordinator_groups

DEMO_PASSWORD = "demo-password-2024"
NETWORK_COORDINATOR_EMAIL = "coordinator@demo.example"
CTK_COORDINATOR_EMAIL = "ctk@demo.example"
CTK_NAME_PREFIX = "Central Technical Library"


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


@transaction.atomic
def load(*, stdout: TextIO) -> None:
    ensure_coordinator_groups()
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
