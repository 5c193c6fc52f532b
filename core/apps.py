from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared infrastructure every app may use; it imports none of them."""

    name = "core"
    verbose_name = _("Site security")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .cache import invalidate_on_change

        # Any model may declare the public content area it feeds (``content_area``).
        post_save.connect(invalidate_on_change, dispatch_uid="core-invalidate-save")
        post_delete.connect(invalidate_on_change, dispatch_uid="core-invalidate-delete")
        m2m_changed.connect(invalidate_on_change, dispatch_uid="core-invalidate-m2m")
