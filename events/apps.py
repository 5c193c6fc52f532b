from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from outbox import renderers

        from . import messaging, services, signals
        from .models import Event
        from .question_services import give_new_event_its_questions

        renderers.register(services.REGISTRATION_EMAIL_RENDERER, services.render_registration_email)

        # Every new event asks the built-in "access needs" question (admin, seeds, demo data).
        post_save.connect(give_new_event_its_questions, sender=Event, dispatch_uid="events.access_needs_question")
        # A registration cancelled gets none of the messages to registrants still waiting for it.
        signals.registration_cancelled.connect(messaging.registration_cancelled, dispatch_uid="events.messages_to")
