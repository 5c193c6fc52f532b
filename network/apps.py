from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_groups(sender, using="default", **kwargs) -> None:
    from .services import ensure_coordinator_groups

    ensure_coordinator_groups(using=using)


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Network")

    def ready(self) -> None:
        # The coordinator groups are kept complete after every migrate (not a data migration:
        # permissions of events/webinars/mailing only exist once their post_migrate has run).
        # Connected for every sender so the last app's permissions are included; idempotent.
        post_migrate.connect(_ensure_groups, dispatch_uid="network.ensure_coordinator_groups")
