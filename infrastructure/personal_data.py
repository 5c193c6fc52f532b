"""What the infrastructure catalogue holds about people: requests to use a resource (name,
address, organisation, message, wanted dates, consent). Registered with ``core.personal_data``;
``portal.privacy`` coordinates.

Retention: a request that has been answered or closed is anonymised
``RETENTION_REGISTRATION_DAYS`` after its status last changed (the period the registration
engine keeps registrations after their session), so the partner can still follow up on it for
a while; a new one is kept until a coordinator has dealt with it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from core import personal_data

from .models import UseRequest
from .services import anonymise_requests


class UseRequests(personal_data.PersonalData):
    def export(self, email: str) -> dict[str, list[dict[str, Any]]]:
        requests = list(UseRequest.objects.filter(email__iexact=email).select_related("resource__partner"))
        return {
            "infrastructure_requests": [
                {**row, "resource": request.resource.title, "partner": request.resource.partner.name}
                for request, row in zip(
                    requests, personal_data.rows(requests, exclude=("status_changed_by",)), strict=True
                )
            ]
        }

    def erase(self, email: str) -> personal_data.Erasure:
        """Requests are anonymised, not deleted: how often a resource was asked for stays."""
        count = anonymise_requests(requests=UseRequest.objects.filter(email__iexact=email))
        return personal_data.Erasure(counts={"infrastructure requests anonymised": count})

    def apply_retention(self, *, now: datetime) -> dict[str, int]:
        cutoff = now - timedelta(days=settings.RETENTION_REGISTRATION_DAYS)
        done = UseRequest.objects.filter(
            status__in=[UseRequest.Status.ANSWERED, UseRequest.Status.CLOSED], status_changed_at__lt=cutoff
        )
        return {"infrastructure_requests_anonymised": anonymise_requests(requests=done)}


personal_data.register(UseRequests())
