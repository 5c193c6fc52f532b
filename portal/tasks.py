"""Thin Celery tasks for the outbox: ids in, the work in ``portal.outbox``."""

from celery import shared_task

from . import outbox

_smtp = outbox.ConnectionKeeper()


@shared_task(bind=True, max_retries=outbox.MAX_ATTEMPTS, acks_late=True)
def deliver_email(self, email_id: int) -> str:
    """Send one outbox row; safe to run twice (a sent row is skipped). Reuses the worker
    process's SMTP connection, and drops it after a failure."""
    try:
        return outbox.deliver(email_id=email_id, connection=_smtp.get())
    except outbox.TransientEmailError as exc:
        _smtp.drop()
        if self.request.is_eager:
            # No broker to schedule a retry with (REDIS_URL unset): retrying at once would burn
            # every attempt inside one request. The row stays queued for the next sweep.
            return outbox.OutgoingEmail.Status.QUEUED
        raise self.retry(exc=exc, countdown=outbox.retry_delay(self.request.retries + 1).total_seconds()) from exc


@shared_task
def sweep_outbox() -> int:
    return outbox.sweep()


@shared_task
def purge_rate_limits() -> int:
    from .ratelimit import purge_expired

    return purge_expired()


@shared_task
def apply_retention() -> dict[str, int]:
    """Anonymise, purge and delete personal data past its retention period (portal.privacy)."""
    from .privacy import apply_retention as run

    return run().as_dict()
