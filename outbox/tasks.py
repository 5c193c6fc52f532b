"""Handing outbox rows to Celery, and the thin tasks that send them.

``enqueue_many`` is called after the commit that wrote the rows (for a single new message, a
moment later by the process's ``outbox.handover``); ``sweep`` (every minute, from Celery beat)
re-queues rows the broker never delivered. If Redis is down or hung when the transaction
commits, the row simply waits for the sweep; the broker's circuit breaker (``core.breaker``)
keeps a hung Redis from costing every request a publish timeout.
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from core.breaker import publish

from . import delivery
from .models import OutgoingEmail

_smtp = delivery.ConnectionKeeper()


@shared_task(acks_late=True)
def deliver_email(email_id: int) -> str:
    """Send one outbox row; safe to run twice (only a queued, due row is sent, see
    ``outbox.delivery``). Reuses the worker process's SMTP connection, and drops it after a
    failure. A transient failure is not retried here: the row's ``next_attempt_at`` holds the
    next attempt, and the sweep hands it over again then."""
    try:
        return delivery.deliver(email_id=email_id, connection=_smtp.get())
    except delivery.TransientEmailError:
        _smtp.drop()
        return OutgoingEmail.Status.QUEUED


@shared_task(acks_late=True)
def deliver_emails(email_ids: list[int]) -> int:
    """Send several outbox rows over the worker process's one SMTP connection, each as safely
    as ``deliver_email`` sends one (``delivery.deliver_many``: claimed before it is sent, its
    outcome recorded before the next is sent, so a worker killed half-way leaves at most the
    message on the wire unrecorded; the rest wait, claimed or queued, for the sweep), but the
    batch's claims taken in one statement. One task per batch instead of per message: a mail-out
    of thousands costs the broker and the worker pool a few dozen hand-overs. Returns how many
    were sent."""
    return delivery.deliver_many(email_ids=email_ids, connections=_smtp)


@shared_task
def sweep_outbox() -> int:
    return sweep()


# Messages written in one transaction (an announcement's batch, a message to registrants) are
# handed to Celery in tasks of this many.
BATCH_SIZE = 50


def enqueue(email_id: int) -> None:
    """Give the message id to Celery (``core.breaker.publish``: never raises, and a hung broker
    costs one publish timeout per breaker interval, not one per message). A row the broker did
    not take waits for the sweep."""
    publish(deliver_email, email_id, retried_by="the outbox sweep")


def enqueue_many(email_ids: list[int]) -> None:
    """``enqueue`` for many rows: one ``deliver_emails`` task per ``BATCH_SIZE`` of them."""
    ids = list(dict.fromkeys(email_ids))
    if len(ids) == 1:
        enqueue(ids[0])
        return
    for start in range(0, len(ids), BATCH_SIZE):
        publish(deliver_emails, ids[start : start + BATCH_SIZE], retried_by="the outbox sweep")


def sweep(
    *, older_than: timedelta = timedelta(minutes=2), stalled_after: timedelta = delivery.SENDING_TIMEOUT,
    limit: int = 1000,
) -> int:
    """Hand Celery every row whose attempt is due: retries whose time has come, rows never tried
    that have waited longer than ``older_than`` (the broker lost them, or Redis was down at
    commit), and rows a worker left ``SENDING`` for longer than ``stalled_after`` (it died
    mid-send; they go out again with the same Message-ID). A row handed over twice is still
    sent once: ``delivery.deliver`` claims it first."""
    ids = delivery.requeue_stalled(claimed_before=timezone.now() - stalled_after)
    ids += list(
        OutgoingEmail.objects.due(fresh_after=older_than)
        .exclude(pk__in=ids)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: max(0, limit - len(ids))]
    )
    enqueue_many(ids)
    return len(ids)
