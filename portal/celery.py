"""The Celery application and every periodic schedule of the portal, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Rows whose task the broker never delivered (Redis down at commit, worker lost), retries whose
    # time has come (for OUTBOX_RETRY_HOURS), and rows a dead worker left sending.
    "sweep-outbox": {"task": "outbox.tasks.sweep_outbox", "schedule": 60.0},
    "purge-rate-limit-counters": {"task": "core.tasks.purge_rate_limits", "schedule": crontab(minute=17)},
    # Webinar reminders 24 h and 1 h before a session (idempotent: each sent once per start).
    "webinar-reminders": {"task": "webinars.tasks.send_reminders", "schedule": 300.0},
    # Zoom work a lost or exhausted task left undone (only with Zoom's API configured).
    "zoom-sweep": {"task": "webinars.tasks.sweep_zoom", "schedule": 300.0},
    # Announcements whose batch task was lost (worker killed, broker down) resume where they stopped,
    # within two minutes (stalled after 75 s, mailing.services.STALLED_AFTER). A chain that was only
    # slow gets a duplicate of its waiting task, and the one of the two that runs second does nothing.
    "resume-stalled-announcements": {"task": "mailing.tasks.resume_stalled_announcements", "schedule": 30.0},
    # Messages to registrants likewise (events.messaging.STALLED_AFTER).
    "resume-stalled-registrant-messages": {"task": "events.tasks.resume_stalled_registrant_messages", "schedule": 30.0},
    # Personal data past its retention period (settings.RETENTION_*), every app's own rules
    # (portal.privacy.apply_retention over each app's personal_data module).
    "privacy-retention": {"task": "portal.tasks.apply_retention", "schedule": crontab(hour=3, minute=41)},
}
