"""Thin Celery tasks for webinars (scheduled in ``portal/celery.py``)."""

from celery import shared_task

from . import services


@shared_task
def send_reminders() -> int:
    """Queue due 24-hour and 1-hour reminders; idempotent, so it may run as often as wanted."""
    return services.send_due_reminders()
