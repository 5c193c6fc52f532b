"""``manage.py load_demo``: the demo coordinators, working groups, webinar dates, projects and
infrastructure offers for ``make run`` (each marked as demo data).

Idempotent; adds no partners. Prints the demo logins."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo logins, working groups, webinar sessions, projects and offers (idempotent)."

    def handle(self, *args, **options) -> None:
        from infrastructure import demo as infrastructure_demo
        from network import demo as network_demo
        from projects import demo as project_demo
        from webinars import demo as webinar_demo

        network_demo.load(stdout=self.stdout)
        webinar_demo.load(stdout=self.stdout)
        project_demo.load(stdout=self.stdout)
        infrastructure_demo.load(stdout=self.stdout)
