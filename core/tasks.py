"""Thin Celery tasks of the shared infrastructure (scheduled in ``portal/celery.py``)."""

from celery import shared_task

from .ratelimit import purge_expired


@shared_task
def purge_rate_limits() -> int:
    return purge_expired()
