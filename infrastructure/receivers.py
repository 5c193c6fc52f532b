"""``infrastructure`` answering what the network asks (connected in ``InfrastructureConfig.ready``).

A partner's page (``network.views.partner_detail``) lists the partner's public resources through
``network.signals.partner_page_sections``: the network sits below the infrastructure catalogue
and does not read it.
"""

from __future__ import annotations

from network.models import Partner
from network.signals import PartnerPageSection

from .models import Resource

# Where the section stands among the others on the partner's page (after the projects).
PARTNER_PAGE_ORDER = 20


def partner_resources(partner: Partner, language: str) -> list[Resource]:
    """``partner``'s public resources, by title in ``language`` (one query)."""
    return list(Resource.objects.filter(partner=partner).public().in_title_order(language))


def partner_page_section(sender, *, partner: Partner, language: str, **kwargs) -> PartnerPageSection | None:
    """The partner's resources, or None when it offers none in public."""
    resources = partner_resources(partner, language)
    if not resources:
        return None
    return PartnerPageSection(
        order=PARTNER_PAGE_ORDER, template="infrastructure/_partner_section.html", context={"resources": resources}
    )
