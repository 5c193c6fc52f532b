"""What the outbox holds about people: the messages sent to them, or that mention them (an
application forwarded to the coordinators, the Reply-To of a request). Registered with
``core.personal_data``; ``portal.privacy`` coordinates."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from core import personal_data

from .models import OutgoingEmail

# What a purged message keeps: subject, status and dates, as the record of a delivery.
_PURGED = dict(to="", reply_to="", body_text="", body_html="", attachments=[], headers={}, last_error="")


def mentioning(email: str) -> QuerySet[OutgoingEmail]:
    """Messages to or from the address, or that mention it anywhere."""
    return OutgoingEmail.objects.filter(
        Q(to__iexact=email)
        | Q(reply_to__iexact=email)
        | Q(subject__icontains=email)
        | Q(body_text__icontains=email)
        | Q(body_html__icontains=email)
        | Q(idempotency_key__icontains=email)
        | Q(headers__icontains=email)
        | Q(attachments__icontains=email)
    )


class Messages(personal_data.PersonalData):
    def export(self, email: str) -> dict[str, list[dict[str, Any]]]:
        """The messages, except the content of secret ones (a sign-in link, see ``OutgoingEmail``):
        an export travels further than the outbox, and the link may still work."""
        messages = personal_data.rows(mentioning(email), exclude=("idempotency_key",))
        for message in messages:
            if message["secret"]:
                message.update(dict.fromkeys(OutgoingEmail.SECRET_FIELDS, str(OutgoingEmail.HIDDEN)))
        return {"outbox_messages": messages}

    def erase(self, email: str) -> personal_data.Erasure:
        return personal_data.Erasure(counts={"outbox messages deleted": mentioning(email).delete()[0]})

    def apply_retention(self, *, now: datetime) -> dict[str, int]:
        """Messages older than ``RETENTION_OUTBOX_DAYS`` lose their bodies, attachments, headers
        and addresses. Messages still queued or being sent are left alone (they would otherwise go
        out empty)."""
        cutoff = now - timedelta(days=settings.RETENTION_OUTBOX_DAYS)
        purged = (
            OutgoingEmail.objects.filter(created_at__lt=cutoff)
            .exclude(status__in=[OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.SENDING])
            .exclude(to="", body_text="", body_html="")
            .update(**_PURGED)
        )
        return {"outbox_purged": purged}


personal_data.register(Messages())
