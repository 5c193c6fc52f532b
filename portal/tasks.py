"""Thin Celery tasks of the site (scheduled in ``portal/celery.py``)."""

from celery import shared_task

from . import privacy


@shared_task
def apply_retention() -> dict[str, int]:
    """Anonymise, purge and delete personal data past its retention period (``portal.privacy``)."""
    return privacy.apply_retention()
