"""What the registration engine holds about people: registrations (name, address, affiliation,
role, consent). Registered with ``core.personal_data``; ``portal.privacy`` coordinates."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from core import personal_data

from .models import Registration
from .services import anonymise_registrations


class Registrations(personal_data.PersonalData):
    def export(self, email: str) -> dict[str, list[dict[str, Any]]]:
        registrations = Registration.objects.filter(email__iexact=email).select_related("session__event")
        return {
            "registrations": [
                {
                    **row,
                    "event": registration.session.event.title,
                    "session_start": registration.session.start,
                    "session_end": registration.session.end,
                }
                for registration, row in zip(registrations, personal_data.rows(registrations), strict=True)
            ]
        }

    def erase(self, email: str) -> personal_data.Erasure:
        """Registrations are anonymised, not deleted: the seat counts of their sessions stay right."""
        count = anonymise_registrations(registrations=Registration.objects.filter(email__iexact=email))
        return personal_data.Erasure(counts={"registrations anonymised": count})

    def apply_retention(self, *, now: datetime) -> dict[str, int]:
        """Registrations are anonymised ``RETENTION_REGISTRATION_DAYS`` after their session ended."""
        cutoff = now - timedelta(days=settings.RETENTION_REGISTRATION_DAYS)
        ended = Registration.objects.filter(session__end__lt=cutoff)
        return {"registrations_anonymised": anonymise_registrations(registrations=ended)}


personal_data.register(Registrations())
