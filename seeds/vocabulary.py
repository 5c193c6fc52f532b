"""Labels the seed documents use that the interface's catalogue translates.

A news item's category ("Important") and the coordinator's title in the contact block are
labels, not prose: where the catalogue (``locale/``) has a Slovenian translation of the imported
label in its context, the loader stores it as the Slovenian value — only while that value is
empty, so a coordinator's own wording is never replaced. The terms are listed here so that
``make messages`` keeps them in the catalogue (marked with ``pgettext_lazy``, never evaluated); a label the catalogue does not know stays English
(shown marked ``lang="en"``) until a coordinator writes it.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import pgettext_lazy  # marks the terms for the catalogue

NEWS_CATEGORY = "news category"
ROLE_TITLE = "role title"

TERMS = {
    NEWS_CATEGORY: [
        pgettext_lazy("news category", "Important"),
        pgettext_lazy("news category", "News"),
        pgettext_lazy("news category", "Event"),
        pgettext_lazy("news category", "Events"),
        pgettext_lazy("news category", "Invitation"),
        pgettext_lazy("news category", "Webinar"),
        pgettext_lazy("news category", "Training"),
        pgettext_lazy("news category", "Announcement"),
        pgettext_lazy("news category", "Call"),
        pgettext_lazy("news category", "Project"),
    ],
    ROLE_TITLE: [
        pgettext_lazy("role title", "Coordinator"),
        pgettext_lazy("role title", "Network coordinator"),
        pgettext_lazy("role title", "CS Network Coordinator"),
        pgettext_lazy("role title", "Citizen Science Network Coordinator"),
        pgettext_lazy("role title", "Head of the coordination office"),
    ],
}

TRANSLATED_LANGUAGE = "sl"


def catalogue_value(label: str, *, context: str, language: str = TRANSLATED_LANGUAGE) -> str:
    """The catalogue's translation of ``label`` in ``context`` ("" when it has none). Case and
    spacing of the label do not matter ("IMPORTANT" finds "Important")."""
    text = " ".join((label or "").split())
    if not text:
        return ""
    with translation.override(language):
        for candidate in dict.fromkeys((text, text.capitalize(), text.title())):
            translated = translation.pgettext(context, candidate)
            if translated != candidate:
                return translated
    return ""


def fill_from_catalogue(obj: Any, field: str, *, context: str) -> None:
    """Give ``obj.<field>`` its Slovenian value from the catalogue when it has none yet."""
    column = f"{field}_{TRANSLATED_LANGUAGE}"
    if getattr(obj, column, None):
        return
    value = catalogue_value(getattr(obj, f"{field}_en", None) or "", context=context)
    if value:
        setattr(obj, column, value)
        obj.save(update_fields=[column])
