from __future__ import annotations

from django.http import HttpRequest
from django.utils import translation
from django.utils.functional import SimpleLazyObject, lazy

from .models import NetworkContact


def network_contact(request: HttpRequest) -> dict[str, object]:
    """The network's contact block for the footer, and its introduction in the active language:
    queried lazily, at most once per request, ``None`` / "" when there is none."""

    def load() -> NetworkContact | None:
        if not hasattr(request, "_network_contact"):
            request._network_contact = NetworkContact.objects.order_by("id").first()  # type: ignore[attr-defined]
        return request._network_contact  # type: ignore[attr-defined]

    def introduction() -> str:
        contact = load()
        return contact.introduction_in(translation.get_language()) if contact else ""

    return {"network_contact": SimpleLazyObject(load), "network_introduction": lazy(introduction, str)()}
