"""The site's absolute URLs come from ``SITE_URL``, never from the request.

A request's ``Host`` and ``X-Forwarded-Proto`` are chosen by whoever sends it; an absolute URL
built from them (``request.build_absolute_uri``) and then cached for every visitor hands the
sender's host to all of them. ``absolute_url`` builds every absolute link (API, JSON-LD, CSV,
feeds, redirects) from ``SITE_URL`` instead, which is also why the page cache may key pages
without the host (``core.cache.cached_public_page``).

The Sites framework (``django.contrib.sites``, ``SITE_ID = 1``) is what allauth and Django's
syndication framework read for the site's domain and name; ``sync_site_after_migrate`` keeps that
one row equal to ``SITE_URL`` and ``SITE_NAME`` after every ``migrate`` (connected in
``CoreConfig.ready``), so no email subject or feed ever says "example.com". It is not a data
migration because the values come from the environment of each deployment, not from the code.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, router
from django.utils import translation


def absolute_url(path: str) -> str:
    """``SITE_URL`` + ``path`` (a path from ``reverse`` or ``get_absolute_url``); a URL that is
    already absolute is returned as it is."""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return path
    return settings.SITE_URL + path


def site_domain() -> str:
    """The host (and port, if any) of ``SITE_URL``: what the Sites framework calls the domain."""
    return urlsplit(settings.SITE_URL).netloc


def sync_site(*, using: str = DEFAULT_DB_ALIAS, apps: Apps = global_apps) -> None:
    """Make the ``SITE_ID`` row of the Sites framework say ``SITE_URL``'s host and ``SITE_NAME``
    (created if missing). Idempotent."""
    try:
        site_model = apps.get_model("sites", "Site")
    except LookupError:  # the sites app is not (yet) in this migration state
        return
    if not router.allow_migrate_model(using, site_model):
        return
    site_model._default_manager.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": site_domain(), "name": settings.SITE_NAME}
    )
    # get_current_site() keeps the row in a per-process cache; this process must not serve the old one.
    from django.contrib.sites.models import SITE_CACHE

    SITE_CACHE.clear()


def sync_site_after_migrate(sender: Any, *, using: str = DEFAULT_DB_ALIAS, apps: Apps = global_apps, **kwargs: Any) -> None:
    """``post_migrate`` receiver (sender: the sites app, after its own ``create_default_site``)."""
    sync_site(using=using, apps=apps)


def site_name(language: str | None = None) -> str:
    """``SITE_NAME`` in ``language`` (the active one by default): the catalogue translates it
    ("Mreža za občansko znanost"). Emails' senders and subjects, calendars and feeds use it."""
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        return translation.gettext(settings.SITE_NAME)
