"""What ``webinars`` holds about people: each registrant's Zoom registration (Zoom's registrant
id and their personal join link), when Zoom's API is configured. Registered with
``core.personal_data``; ``portal.privacy`` coordinates. (Meetings hold no personal data.)"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from core import personal_data
from core.breaker import publish

from . import tasks, zoom
from .models import ZoomRegistrant

#: A personal join link is of no use once its session is over; kept a week for questions.
ZOOM_REGISTRANT_RETENTION = timedelta(days=7)


def _of(email: str) -> QuerySet[ZoomRegistrant]:
    return ZoomRegistrant.objects.filter(registration__email__iexact=email)


class ZoomRegistrants(personal_data.PersonalData):
    def export(self, email: str) -> dict[str, list[dict[str, Any]]]:
        rows = _of(email).select_related("registration__session__event")
        return {
            "zoom_registrants": [
                {**row, "event": registrant.registration.session.event.title}
                for registrant, row in zip(rows, personal_data.rows(rows), strict=True)
            ]
        }

    def erase(self, email: str) -> personal_data.Erasure:
        """The personal links go at once. With Zoom configured, the registrant is cancelled in
        Zoom after the commit (the task deletes the row: ``services.sync_zoom_registrant`` sees
        an anonymised registration); without it the rows are deleted here. Also takes rows of
        registrations already anonymised (the registrations' holder may have run first)."""
        anonymised = Q(registration__email__endswith=f"@{personal_data.ANONYMISED_DOMAIN}")
        rows = ZoomRegistrant.objects.filter(Q(registration__email__iexact=email) | anonymised)
        if not zoom.is_configured():
            count, _ = rows.delete()
            return personal_data.Erasure(counts={"Zoom registrants deleted": count})
        ids = list(rows.values_list("registration_id", flat=True))
        rows.update(join_url="", error="")
        for registration_id in ids:
            transaction.on_commit(partial(publish, tasks.sync_registrant, registration_id, retried_by=tasks.SWEEP))
        return personal_data.Erasure(counts={"Zoom registrants cancelled": len(ids)})

    def apply_retention(self, *, now: datetime) -> dict[str, int]:
        """Zoom registrations are deleted ``ZOOM_REGISTRANT_RETENTION`` after their session ended."""
        count, _ = ZoomRegistrant.objects.filter(registration__session__end__lt=now - ZOOM_REGISTRANT_RETENTION).delete()
        return {"zoom_registrants_deleted": count}


personal_data.register(ZoomRegistrants())
