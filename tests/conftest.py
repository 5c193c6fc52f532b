"""Shared fixtures: the cast of users every permission test is written against.

network_coordinator — edits everything (``network_coordinator_client`` is a test client logged
in as them); coordinator_a / coordinator_b — each coordinates one partner (``partner_a`` /
``partner_b``); anonymous — the public. ``seeded`` imports the seed documents (``seeded_with_demo``
adds the demo logins and webinar dates); ``database_down`` makes every SQL statement fail.
App-specific factories live in ``tests/<app>/factories.py``.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import OperationalError
from django.utils import translation
from hypothesis import settings as hypothesis_settings

# Hypothesis keeps no example database in the source tree.
hypothesis_settings.register_profile("portal", database=None)
hypothesis_settings.load_profile("portal")

PASSWORD = "correct horse battery staple 42"


def make_user(email: str, *, is_staff: bool = False, is_superuser: bool = False, groups: tuple[str, ...] = ()):
    """A user whose address is confirmed (allauth's ``EmailAddress``, verified and primary), so
    they can log in: email verification is mandatory."""
    from allauth.account.models import EmailAddress

    user = get_user_model().objects.create_user(
        username=email, email=email, password=PASSWORD, is_staff=is_staff, is_superuser=is_superuser
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


@pytest.fixture(autouse=True)
def _test_storage_and_caches(settings):
    """Static files from the source folders (no collectstatic manifest in tests), empty caches,
    and a fast password hasher (the cast's logins would otherwise cost ~0.3 s each)."""
    from django.core.cache import cache

    from core.breaker import close_breakers
    from core.cache import forget_local

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    close_breakers()  # an earlier test's outage is over (the seats' database breaker, Zoom's, Redis's)
    cache.clear()
    forget_local()  # what this process remembers of the cache (core.cache), too
    # A new message's id goes to the broker, a seat count's change to the cache, at once
    # (core.handover): a test that reads them right after a commit finds them there.
    # tests/outbox/test_handover.py sets a delay.
    settings.HANDOVER_MS = 0
    translation.activate(settings.LANGUAGE_CODE)  # no language left over from an earlier test
    yield
    translation.activate(settings.LANGUAGE_CODE)
    # What a test with a delay left gathered never reaches a later test (nor the exit).
    from core.cache import _lagging_raises
    from outbox.handover import handover
    from webinars.signals import registrant_handover

    for gathered in (handover, _lagging_raises, registrant_handover):
        gathered.discard()


@pytest.fixture
def password() -> str:
    return PASSWORD


# --- The seeded site ------------------------------------------------------------------------
@pytest.fixture
def seeded(db):
    """The project's two seed documents (``seeds/*.txt``) imported by ``manage.py load_seeds``."""
    call_command("load_seeds", verbosity=0)


@pytest.fixture
def seeded_with_demo(seeded):
    """The seeded site plus the demo logins and demo webinar dates (``manage.py load_demo``), as
    ``make run`` shows it."""
    call_command("load_demo", verbosity=0)


# --- The database gone away -----------------------------------------------------------------
@pytest.fixture
def database_down(monkeypatch):
    """Every SQL statement fails as it does when the database server does not answer."""
    from django.db.backends.utils import CursorWrapper

    def refused(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refused)
    monkeypatch.setattr(CursorWrapper, "executemany", refused)


# --- The cast (network) -------------------------------------------------------------------
@pytest.fixture
def network_coordinator(db):
    return make_user("network.coordinator@example.org", is_staff=True, groups=("Network coordinators",))


@pytest.fixture
def network_coordinator_client(client, network_coordinator):
    """A test client logged in as the network coordinator (staff, in the "Network coordinators"
    group with that group's permissions; not a superuser)."""
    client.force_login(network_coordinator)
    return client


@pytest.fixture
def coordinator_a(db):
    return make_user("coordinator.a@example.org", is_staff=True, groups=("Partner coordinators",))


@pytest.fixture
def coordinator_b(db):
    return make_user("coordinator.b@example.org", is_staff=True, groups=("Partner coordinators",))


@pytest.fixture
def cast(network_coordinator, coordinator_a, coordinator_b):
    """The cast by the names of the admin permission matrices (``tests.network.admin_matrix.ROLES``);
    ``anonymous`` is None."""
    return {"network": network_coordinator, "a": coordinator_a, "b": coordinator_b, "anonymous": None}


@pytest.fixture
def partner_a(coordinator_a):
    from network.models import Partner

    partner = Partner.objects.create(name="Alpha Library", slug="alpha-library", status="published", email="alpha@example.org")
    partner.coordinators.add(coordinator_a)
    return partner


@pytest.fixture
def partner_b(coordinator_b):
    from network.models import Partner

    partner = Partner.objects.create(name="Beta Institute", slug="beta-institute", status="published", email="beta@example.org")
    partner.coordinators.add(coordinator_b)
    return partner
