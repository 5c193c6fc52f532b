from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import NetworkContact


def network_contact(request: HttpRequest) -> dict[str, object]:
    """The network's contact block for the footer: queried lazily, at most once per request
    (pages that do not render the footer never query), ``None`` when there is none."""

    def load() -> NetworkContact | None:
        if not hasattr(request, "_network_contact"):
            request._network_contact = NetworkContact.objects.order_by("id").first()  # type: ignore[attr-defined]
        return request._network_contact  # type: ignore[attr-defined]

    return {"network_contact": SimpleLazyObject(load)}
