from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared infrastructure every app may use; it imports none of them."""

    name = "core"
    verbose_name = _("Site security")

    def ready(self) -> None:
        from django.apps import apps

        from .cache import connect_content_models

        # Models declare the public content area they feed (``content_area``); every app's
        # models are loaded before any ``ready`` runs.
        connect_content_models(apps.get_models())
