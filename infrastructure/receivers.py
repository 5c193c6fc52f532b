"""``infrastructure`` answering what the network asks (connected in ``InfrastructureConfig.ready``).

A partner's page (``network.views.partner_detail``) lists the partner's public resources through
``network.signals.partner_page_sections``: the network sits below the infrastructure catalogue
and does not read it. A resource's search text holds its partner's name and acronym, so a partner
saved with a new one refreshes its resources' (``post_save`` of ``Partner``).
"""

from __future__ import annotations

from collections.abc import Iterable

from network.models import Partner
from network.signals import PartnerPageSection

from .models import Resource
from .services import refresh_search_text

# The partner's fields a resource's search text holds (each also as ``<field>_<language>``).
SEARCHED_PARTNER_FIELDS = ("name", "acronym")

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


def _touches_searched_fields(update_fields: Iterable[str] | None) -> bool:
    """Whether a save with ``update_fields`` (``None``: every field) may have changed the name or acronym."""
    if update_fields is None:
        return True
    return any(
        field == searched or field.startswith(f"{searched}_")
        for field in update_fields
        for searched in SEARCHED_PARTNER_FIELDS
    )


def partner_saved(sender, instance: Partner, raw: bool = False, update_fields=None, **kwargs) -> None:
    """Refresh the search text of the saved partner's resources, unless the save cannot have
    changed its name or acronym (``update_fields`` names neither) or loads a fixture (``raw``)."""
    if raw or not _touches_searched_fields(update_fields):
        return
    refresh_search_text(partner=instance)
