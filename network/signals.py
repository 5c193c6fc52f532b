"""What the network asks the apps above it. ``projects`` and ``infrastructure`` answer; network
itself knows nothing of projects or resources (it sits below them: ``pyproject.toml``, layers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

# kwargs: partner, language. Receivers return a ``PartnerPageSection`` (or None when they have
# nothing to show) for a published partner's public page: this is how the page lists the
# projects and resources of the partner without network reading the apps above it. The page is
# cached (``core.cache``): an app answering here puts its content area in the page's ``areas``.
partner_page_sections = Signal()


@dataclass(frozen=True)
class PartnerPageSection:
    """One section of a partner's page: ``template`` included with ``context`` (and the page's
    ``partner``), the sections in ascending ``order``."""

    order: int
    template: str
    context: dict[str, Any]


def partner_page_sections_for(partner, language: str) -> list[PartnerPageSection]:
    """The sections the apps answer for ``partner``'s page in ``language``, by ``order``."""
    sections = [
        section
        for _receiver, section in partner_page_sections.send(sender=type(partner), partner=partner, language=language)
        if isinstance(section, PartnerPageSection)
    ]
    return sorted(sections, key=lambda section: (section.order, section.template))
