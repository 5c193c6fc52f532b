from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class MailingConfig(AppConfig):
    name = "mailing"
    verbose_name = _("Mailing lists")

    def ready(self) -> None:
        # A webinar registration's "send me the network's news" tick subscribes through the
        # same double opt-in. events knows nothing of mailing lists: it only sends the signal.
        if apps.is_installed("events"):
            from events.signals import registration_opt_in

            from .receivers import subscribe_after_registration_opt_in

            registration_opt_in.connect(subscribe_after_registration_opt_in, dispatch_uid="mailing.registration_opt_in")
