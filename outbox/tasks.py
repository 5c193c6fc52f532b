"""Handing outbox rows to Celery, and the thin tasks that send them.

``enqueue`` is called after the commit that wrote a row; ``sweep`` (every minute, from Celery
beat) re-queues rows the broker never delivered. If Redis is down when the transaction commits,
the row simply waits for the sweep.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import delivery
from .models import OutgoingEmail

logger = logging.getLogger(__name__)

_smtp = delivery.ConnectionKeeper()


@shared_task(bind=True, max_retries=delivery.MAX_ATTEMPTS, acks_late=True)
def deliver_email(self, email_id: int) -> str:
    """Send one outbox row; safe to run twice (a sent row is skipped). Reuses the worker
    process's SMTP connection, and drops it after a failure."""
    try:
        return delivery.deliver(email_id=email_id, connection=_smtp.get())
    except delivery.TransientEmailError as exc:
        _smtp.drop()
        if self.request.is_eager:
            # No broker to schedule a retry with (REDIS_URL unset): retrying at once would burn
            # every attempt inside one request. The row stays queued for the next sweep.
            return OutgoingEmail.Status.QUEUED
        raise self.retry(exc=exc, countdown=delivery.retry_delay(self.request.retries + 1).total_seconds()) from exc


@shared_task
def sweep_outbox() -> int:
    return sweep()


def enqueue(email_id: int) -> None:
    """Give the message id to Celery. A broker outage is logged, not raised: the sweep retries."""
    try:
        deliver_email.delay(email_id)
    except Exception:  # kombu/redis raise many types; none may fail the request that wrote the row
        logger.warning("Could not queue outgoing email %s; the outbox sweep will retry.", email_id, exc_info=True)


def sweep(*, older_than: timedelta = timedelta(minutes=2), limit: int = 1000) -> int:
    """Re-queue due rows that have waited longer than ``older_than`` (the broker lost them, or
    Redis was down at commit). A row sent twice to Celery is still sent once: ``delivery.deliver`` locks
    it and skips it when it is no longer queued."""
    cutoff = timezone.now() - older_than
    ids = list(
        OutgoingEmail.objects.due()
        .filter(next_attempt_at__lte=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        enqueue(pk)
    return len(ids)
