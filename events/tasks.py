"""Thin Celery tasks for the registration engine: ids in, the work in a service module."""

from __future__ import annotations

from uuid import UUID

from celery import shared_task

from core.breaker import publish

from . import messaging

# Who queues a batch task again when publishing it failed (the broker down or hung).
RESUMED_BY = "events.tasks.resume_stalled_registrant_messages"


@shared_task(acks_late=True)
def send_registrant_message_batch(message_id: int, chain: str = "") -> bool:
    """Write one batch of a message to registrants to the outbox and queue the next batch with the
    token the batch gave it, ahead of the batch's emails (``messaging.send_batch``). A spent token
    does nothing and queues nothing, so the chain never forks; safe to run twice."""
    try:
        token = UUID(chain)
    except ValueError:
        return False
    following = messaging.send_batch(
        message_id=message_id, chain=token, on_next=lambda next_chain: queue_batch(message_id, next_chain)
    )
    return following is not None


def queue_batch(message_id: int, chain: UUID) -> bool:
    """Hand Celery the message's next batch task (after the commit that issued ``chain``). Never
    raises: if the broker does not take it, the stalled-message check queues it again."""
    return publish(send_registrant_message_batch, message_id, str(chain), retried_by=RESUMED_BY)


@shared_task
def resume_stalled_registrant_messages() -> int:
    """Queue the next batch of every message whose chain stalled. Returns how many were resumed."""
    resumed = 0
    for pk in messaging.stalled_message_ids():
        chain = messaging.resume_chain(message_id=pk)
        if chain is not None:
            queue_batch(pk, chain)
            resumed += 1
    return resumed
