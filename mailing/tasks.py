"""Thin Celery tasks for mailing lists: ids in, the work in ``mailing.services``."""

from uuid import UUID

from celery import shared_task

from core.breaker import publish

from . import services

# Who queues a batch task again when publishing it failed (the broker down or hung).
RESUMED_BY = "mailing.tasks.resume_stalled_announcements"


@shared_task(acks_late=True)
def send_announcement_batch(announcement_id: int, chain: str = "") -> bool:
    """Queue one batch of an announcement's messages, then the next batch with the token the
    batch gave it. A task whose token is spent or not the announcement's (a duplicate of one
    that ran, or one queued before chains had tokens) does nothing and queues nothing, so the
    chain never forks. Safe to run twice: the batch is locked and each message has an
    idempotency key."""
    try:
        token = UUID(chain)
    except ValueError:
        return False
    following = services.send_announcement_batch(announcement_id=announcement_id, chain=token)
    if following is not None:
        queue_batch(announcement_id, following)
    return following is not None


def queue_batch(announcement_id: int, chain: UUID) -> bool:
    """Hand Celery the announcement's next batch task (after the commit that issued ``chain``).
    Never raises: if the broker does not take it, the stalled-announcement check queues it again."""
    return publish(send_announcement_batch, announcement_id, str(chain), retried_by=RESUMED_BY)


@shared_task
def resume_stalled_announcements() -> int:
    """Queue the next batch of every announcement whose chain stalled (``services.resume_chain``).
    Returns how many were resumed."""
    resumed = 0
    for pk in services.stalled_announcement_ids():
        chain = services.resume_chain(announcement_id=pk)
        if chain is not None:
            queue_batch(pk, chain)
            resumed += 1
    return resumed
