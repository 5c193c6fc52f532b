"""The Celery application and every periodic schedule of the portal, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Rows whose task the broker never delivered (Redis down at commit, worker lost).
    "sweep-outbox": {"task": "portal.tasks.sweep_outbox", "schedule": 60.0},
    "purge-rate-limit-counters": {"task": "portal.tasks.purge_rate_limits", "schedule": crontab(minute=17)},
}
