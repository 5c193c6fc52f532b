"""What the mailing lists hold about people: subscriptions and the consent given for them.
Registered with ``core.personal_data``; ``portal.privacy`` coordinates."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from core import personal_data

from .models import ConsentRecord, Subscription
from .services import purge_unconfirmed


class Subscribers(personal_data.PersonalData):
    def export(self, email: str) -> dict[str, list[dict[str, Any]]]:
        subscriptions = Subscription.objects.filter(email__iexact=email).select_related("mailing_list")
        consents = ConsentRecord.objects.filter(email__iexact=email).select_related("mailing_list")
        return {
            "subscriptions": [
                {**row, "mailing_list": sub.mailing_list.name}
                for sub, row in zip(subscriptions, personal_data.rows(subscriptions, exclude=("decided_by",)), strict=True)
            ],
            "consent_records": [
                {**row, "mailing_list": record.mailing_list.name}
                for record, row in zip(consents, personal_data.rows(consents), strict=True)
            ],
        }

    def erase(self, email: str) -> personal_data.Erasure:
        return personal_data.Erasure(
            counts={
                "subscriptions deleted": Subscription.objects.filter(email__iexact=email).delete()[0],
                "consent records deleted": ConsentRecord.objects.filter(email__iexact=email).delete()[0],
            }
        )

    def apply_retention(self, *, now: datetime) -> dict[str, int]:
        """Sign-ups never confirmed, and subscriptions ended (unsubscribed or rejected), are
        forgotten with their consent records after ``RETENTION_UNCONFIRMED_DAYS``
        (``services.purge_unconfirmed``)."""
        subscriptions, consents = purge_unconfirmed(
            older_than=timedelta(days=settings.RETENTION_UNCONFIRMED_DAYS), now=now
        )
        return {"subscriptions_deleted": subscriptions, "consent_records_deleted": consents}


personal_data.register(Subscribers())
