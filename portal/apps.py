from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The site: home, about, news, privacy pages and the coordination of personal data."""

    name = "portal"
    verbose_name = _("Site and news")
