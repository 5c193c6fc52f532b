"""The Sites framework says the real site after every migrate (issue 16, finding 7): allauth's email
subjects and anything else that reads ``get_current_site`` name SITE_URL's host and SITE_NAME,
not "example.com"."""

from __future__ import annotations

import pytest
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.models import SITE_CACHE, Site
from django.contrib.sites.shortcuts import get_current_site
from django.core.management.sql import emit_post_migrate_signal

from core.sites import absolute_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_site_cache():
    SITE_CACHE.clear()
    yield
    SITE_CACHE.clear()  # no row of this test's (rolled-back) transaction outlives it in the process cache


def _migrated() -> None:
    """What ``manage.py migrate`` does once its migrations have run (even when none were pending)."""
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")


def test_migrate_sets_the_sites_domain_and_name_from_the_settings(settings, rf):
    settings.SITE_URL = "https://znanost.example.si:8443"
    Site.objects.update_or_create(pk=settings.SITE_ID, defaults={"domain": "example.com", "name": "example.com"})
    get_current_site(rf.get("/"))  # the old row is in the process cache now

    _migrated()

    site = get_current_site(rf.get("/"))
    assert (site.domain, site.name) == ("znanost.example.si:8443", settings.SITE_NAME)
    assert Site.objects.get(pk=settings.SITE_ID).domain == "znanost.example.si:8443"


def test_migrate_creates_the_site_when_it_is_missing(settings):
    settings.SITE_URL = "https://znanost.example.si"
    Site.objects.all().delete()
    _migrated()
    assert list(Site.objects.values_list("pk", "domain", "name")) == [
        (settings.SITE_ID, "znanost.example.si", settings.SITE_NAME)
    ]


def test_allauths_own_subject_prefix_names_the_site_after_migrate(settings, rf):
    """allauth's default adapter prefixes subjects with ``get_current_site().name`` (our adapter
    uses SITE_NAME itself, so it is allauth's own code that shows what the sync does for every
    reader of the Sites row), whatever Host the request names."""
    Site.objects.filter(pk=settings.SITE_ID).update(domain="example.com", name="example.com")
    request = rf.get("/accounts/password/reset/", HTTP_HOST="127.0.0.1:6666")
    with allauth_context.request_context(request):
        assert DefaultAccountAdapter(request).format_email_subject("Password reset") == "[example.com] Password reset"
        _migrated()
        subject = DefaultAccountAdapter(request).format_email_subject("Password reset")
    assert subject == f"[{settings.SITE_NAME}] Password reset"


def test_absolute_urls_are_the_site_url_plus_the_path(settings):
    settings.SITE_URL = "https://znanost.example.si"
    assert absolute_url("/partners/kranj/") == "https://znanost.example.si/partners/kranj/"
    assert absolute_url("https://elsewhere.example/x") == "https://elsewhere.example/x"
