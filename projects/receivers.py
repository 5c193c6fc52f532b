"""``projects`` answering what the network asks (connected in ``ProjectsConfig.ready``).

A partner's page (``network.views.partner_detail``) lists the public projects the partner leads
or takes part in through ``network.signals.partner_page_sections``: the network sits below the
project catalogue and does not read it.
"""

from __future__ import annotations

from network.models import Partner
from network.signals import PartnerPageSection

from .models import Project

# Where the section stands among the others on the partner's page.
PARTNER_PAGE_ORDER = 10


def partner_projects(partner: Partner, language: str) -> list[Project]:
    """The public projects ``partner`` leads or takes part in, each once, by title in ``language``
    (one query)."""
    led_or_joined = Project.objects.filter(lead_partner=partner) | Project.objects.filter(partners=partner)
    return list(led_or_joined.public().distinct().in_title_order(language))


def partner_page_section(sender, *, partner: Partner, language: str, **kwargs) -> PartnerPageSection | None:
    """The partner's projects, or None when it has none in public."""
    projects = partner_projects(partner, language)
    if not projects:
        return None
    return PartnerPageSection(
        order=PARTNER_PAGE_ORDER, template="projects/_partner_section.html", context={"projects": projects}
    )
