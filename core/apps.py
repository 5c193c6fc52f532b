from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared infrastructure every app may use; it imports none of them."""

    name = "core"
    verbose_name = _("Site security")

    def ready(self) -> None:
        from django.apps import apps

        from . import audit  # noqa: F401  (registers the audit log's retention with core.personal_data)
        from .cache import connect_content_models
        from .sites import sync_site_after_migrate

        # Models declare the public content area they feed (``content_area``); every app's
        # models are loaded before any ``ready`` runs.
        connect_content_models(apps.get_models())
        # The Sites row (allauth's email subjects, feeds) says SITE_URL's host and SITE_NAME after
        # every migrate. Sent by the sites app, after its own receiver has created the row.
        post_migrate.connect(
            sync_site_after_migrate, sender=apps.get_app_config("sites"), dispatch_uid="core.sync_site"
        )
