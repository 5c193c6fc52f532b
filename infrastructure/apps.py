from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfrastructureConfig(AppConfig):
    name = "infrastructure"
    verbose_name = _("Infrastructure")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from network.models import Partner
        from network.signals import partner_page_sections

        from .receivers import partner_page_section, partner_saved

        # A resource's search text holds its partner's name: renaming the partner refreshes it.
        post_save.connect(partner_saved, sender=Partner, dispatch_uid="infrastructure-partner-search-text")
        # A partner's page lists the resources it offers.
        partner_page_sections.connect(partner_page_section, dispatch_uid="infrastructure-partner-page-section")
