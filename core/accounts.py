"""Accounts: who the network's coordinators are.

Coordinators' accounts are made by a network coordinator. Network coordinators are the users in
the "Network coordinators" group (and superusers); partner coordinators are linked to their
partners in ``network``. How they log in (allauth's adapter: no sign-up, emails through the
outbox) is the site's business: ``portal.accounts``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from .email_address import normalise_email

NETWORK_COORDINATORS_GROUP = "Network coordinators"


def is_network_coordinator(user: Any) -> bool:
    """One query for a logged-in non-superuser; none otherwise."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.groups.filter(name=NETWORK_COORDINATORS_GROUP).exists())
    )


def network_coordinator_emails() -> list[str]:
    """Where requests for the network's coordinators go: ``NETWORK_COORDINATOR_EMAILS`` plus the
    active users of the group, each address once (case-insensitive), in that order."""
    users = get_user_model().objects.filter(groups__name=NETWORK_COORDINATORS_GROUP, is_active=True)
    emails = [*settings.NETWORK_COORDINATOR_EMAILS, *users.exclude(email="").values_list("email", flat=True)]
    unique: dict[str, str] = {}
    for email in emails:
        if email:
            unique.setdefault(normalise_email(email), email)
    return list(unique.values())

