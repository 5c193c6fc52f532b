"""Thin Celery tasks for mailing lists: ids in, the work in ``mailing.services``."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_announcement_batch(announcement_id: int) -> bool:
    """Queue one batch of an announcement's messages, then the next batch. Safe to run twice:
    the batch is locked and each message has an idempotency key."""
    more = services.send_announcement_batch(announcement_id=announcement_id)
    if more:
        send_announcement_batch.delay(announcement_id)
    return more


@shared_task
def resume_stalled_announcements() -> int:
    ids = services.stalled_announcement_ids()
    for pk in ids:
        send_announcement_batch.delay(pk)
    return len(ids)
