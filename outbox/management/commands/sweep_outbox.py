"""``manage.py sweep_outbox``: send what is waiting in the outbox now.

Celery beat runs the same sweep every minute; this is for the embedded default (no Redis, no
beat) and for operators after an SMTP outage."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from outbox.tasks import sweep


class Command(BaseCommand):
    help = "Hand every queued outbox message whose time has come to Celery (or send it, without Redis)."

    def handle(self, *args, **options) -> None:
        count = sweep(older_than=timedelta(0))
        self.stdout.write(f"{count} queued message(s) handed over for delivery.")
