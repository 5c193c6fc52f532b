from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from network.signals import partner_page_sections

        from .receivers import partner_page_section

        # A partner's page lists the projects it leads or takes part in.
        partner_page_sections.connect(partner_page_section, dispatch_uid="projects-partner-page-section")
