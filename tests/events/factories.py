from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from events.models import Event, Registration, Session
from tests.network.factories import PartnerFactory  # noqa: F401 — re-exported for event tests
from webinars.models import Meeting, Webinar


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Workshop {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    kind = Event.Kind.WORKSHOP
    summary = "Hands-on citizen science."
    mode = Event.Mode.ONLINE
    status = Event.Status.PUBLISHED


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(minutes=90))
    time_zone = "Europe/Ljubljana"
    capacity = 10


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    session = factory.SubFactory(SessionFactory)
    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    consent_text = "I agree."
    status = Registration.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)


class WebinarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Webinar

    event = factory.SubFactory(EventFactory, kind=Event.Kind.WEBINAR, title=factory.Sequence(lambda n: f"Webinar {n}"))
    platform = "Zoom"
    duration_minutes = 90


SECRET_URL = "https://zoom.example/j/987654321?pwd=SECRETPWD"
SECRET_PASSCODE = "PASS-7731-XQ"


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    session = factory.SubFactory(SessionFactory)
    join_url = SECRET_URL
    meeting_id = "987 654 321"
    passcode = SECRET_PASSCODE
