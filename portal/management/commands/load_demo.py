"""``manage.py load_demo``: the demo coordinators and demo webinar dates for ``make run``.

Idempotent; adds no partners. Prints the demo logins."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo coordinator logins and demo webinar sessions (idempotent)."

    def handle(self, *args, **options) -> None:
        from network import demo as network_demo

        network_demo.load(stdout=self.stdout)
        try:
            from webinars import demo as webinar_demo
        except ImportError:
            return
        webinar_demo.load(stdout=self.stdout)
