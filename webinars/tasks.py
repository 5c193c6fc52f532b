"""Thin Celery tasks for webinars (periodic ones scheduled in ``portal/celery.py``).

The Zoom tasks take ids, read the rest again and call a service in ``webinars.services``; each
may run twice. They are queued after commit through ``core.breaker.publish`` (never raises: a
Redis outage leaves the work to ``sweep_zoom``, which finds it from the data). Zoom being down
(``ZoomUnavailable``) is retried with exponential backoff, Zoom's "too many requests" after the
``Retry-After`` it sent; a refusal (``ZoomError``) is recorded by the service and not retried.
After the last retry the sweep takes over.
"""

from __future__ import annotations

from typing import NoReturn

from celery import Task, shared_task

from core.breaker import publish

from . import services, zoom

#: Seconds before the first retry; doubled for each next one, up to ``BACKOFF_MAX``.
BACKOFF_BASE = 30
BACKOFF_MAX = 3600
MAX_RETRIES = 8
SWEEP = "the Zoom sweep (webinars.tasks.sweep_zoom)"


def retry_countdown(exc: zoom.ZoomUnavailable, retries: int) -> int:
    """Zoom's own wait for a 429; else 30 s, 60 s, 120 s … up to an hour."""
    if isinstance(exc, zoom.ZoomRateLimited):
        return exc.retry_after
    return min(BACKOFF_BASE * 2**retries, BACKOFF_MAX)


def _retry(task: Task, exc: zoom.ZoomUnavailable) -> NoReturn:
    raise task.retry(exc=exc, countdown=retry_countdown(exc, task.request.retries))


@shared_task
def send_reminders() -> int:
    """Queue due 24-hour and 1-hour reminders; idempotent, so it may run as often as wanted."""
    return services.send_due_reminders()


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def sync_meeting(self: Task, session_id: int) -> str:
    """Create, update or delete the session's Zoom meeting; a new meeting gets the session's
    confirmed registrants."""
    try:
        result = services.sync_zoom_meeting(session_id=session_id)
    except zoom.ZoomUnavailable as exc:
        _retry(self, exc)
    if result.created:
        for registration_id in services.confirmed_registration_ids(session_id=session_id):
            publish(sync_registrant, registration_id, retried_by=SWEEP)
    return result.state


def _sync_registrant(task: Task, registration_id: int) -> str:
    """The one body of ``sync_registrant`` and its old names; retries as ``task``, the one running."""
    try:
        return services.sync_zoom_registrant(registration_id=registration_id)
    except zoom.ZoomUnavailable as exc:
        _retry(task, exc)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def sync_registrant(self: Task, registration_id: int) -> str:
    """Put a registration where it belongs in Zoom: a confirmed one into its session's meeting,
    and out of any meeting it no longer belongs in (cancelled, or switched to another date)."""
    return _sync_registrant(self, registration_id)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def add_registrant(self: Task, registration_id: int) -> str:
    """Old name of ``sync_registrant``, kept so that messages queued under it still run."""
    return _sync_registrant(self, registration_id)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def cancel_registrant(self: Task, registration_id: int) -> str:
    """Old name of ``sync_registrant``, kept so that messages queued under it still run."""
    return _sync_registrant(self, registration_id)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def fetch_participants(self: Task, session_id: int) -> int:
    """Hand the participants report of an ended session's Zoom meeting to the attendance record."""
    try:
        return services.fetch_zoom_participants(session_id=session_id)
    except zoom.ZoomUnavailable as exc:
        _retry(self, exc)


@shared_task
def sweep_zoom() -> int:
    """Queue again what Zoom tasks left undone (``services.zoom_work_due``); nothing without
    Zoom configured."""
    work = services.zoom_work_due()
    for session_id in work.meetings:
        publish(sync_meeting, session_id, retried_by=SWEEP)
    for registration_id in work.registrations:
        publish(sync_registrant, registration_id, retried_by=SWEEP)
    for session_id in work.attendance:
        publish(fetch_participants, session_id, retried_by=SWEEP)
    return len(work.meetings) + len(work.registrations) + len(work.attendance)
