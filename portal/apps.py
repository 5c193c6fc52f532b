from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Records whose changes can show on a public page; any change makes cached pages stale.
CONTENT_APPS = {"portal", "network", "events", "webinars"}
NOT_CONTENT = {"portal.outgoingemail", "portal.ratelimitcounter"}


def _invalidate_pages(sender: type, **kwargs: Any) -> None:
    label = getattr(getattr(sender, "_meta", None), "label_lower", "")
    if label.split(".")[0] in CONTENT_APPS and label not in NOT_CONTENT:
        from django.db import transaction

        from .cache import bump_content_version

        # Now, and again once the change is committed: a page rendered in between (from the
        # old rows) would otherwise be stored under the new version.
        bump_content_version()
        transaction.on_commit(bump_content_version)


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Site and email")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        post_save.connect(_invalidate_pages, dispatch_uid="portal-invalidate-save")
        post_delete.connect(_invalidate_pages, dispatch_uid="portal-invalidate-delete")
        m2m_changed.connect(_invalidate_pages, dispatch_uid="portal-invalidate-m2m")
