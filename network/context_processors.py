from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, lazy

from core.content import current_language, in_language

from .models import NetworkContact


def network_contact(request: HttpRequest) -> dict[str, object]:
    """The network's contact block for the footer, and its introduction in the active language:
    queried lazily, at most once per request, ``None`` / "" when there is none. The introduction
    has no fallback: where it is not written in the visitor's language the pages say what the
    network is in their own words (a translated string), which reads better than a marked
    paragraph in the other language."""

    def load() -> NetworkContact | None:
        if not hasattr(request, "_network_contact"):
            request._network_contact = NetworkContact.objects.select_related("coordinator_partner").order_by("id").first()  # type: ignore[attr-defined]
        return request._network_contact  # type: ignore[attr-defined]

    def introduction() -> str:
        contact = load()
        return in_language(contact, "introduction", current_language()) if contact else ""

    return {"network_contact": SimpleLazyObject(load), "network_introduction": lazy(introduction, str)()}
