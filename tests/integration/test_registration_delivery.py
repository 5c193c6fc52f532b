"""Registering while Redis is down: the registration is saved, the page succeeds, and the
confirmation with the join link arrives through the real worker once Redis is back."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from events.models import Registration
from outbox import tasks
from outbox.models import OutgoingEmail
from tests.broker import UNREACHABLE_BROKER, point_celery_at
from tests.events.factories import SECRET_URL, MeetingFactory, SessionFactory, WebinarFactory

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("many-connections")]  # see pyproject's addopts


def test_registration_survives_a_broker_outage_and_its_emails_arrive_later(celery_worker, smtp_sink, client, settings):
    settings.RATELIMIT_ENABLED = False
    webinar = WebinarFactory()
    session = SessionFactory(event=webinar.event, capacity=5)
    MeetingFactory(session=session)
    from portal.celery import app

    working_broker = app.conf.broker_url
    point_celery_at(UNREACHABLE_BROKER)  # Redis is down
    response = client.post(
        webinar.get_absolute_url(),
        {"session": session.pk, "name": "Ana Novak", "email": "ana@example.org", "consent": "on"},
    )
    assert response.status_code == 302, "the visitor's registration must succeed without Redis"
    registration = Registration.objects.get(email="ana@example.org")
    assert registration.status == Registration.Status.CONFIRMED
    assert OutgoingEmail.objects.filter(to="ana@example.org", status=OutgoingEmail.Status.QUEUED).exists()
    assert smtp_sink.messages == []

    point_celery_at(working_broker)  # Redis is back; the beat's sweep re-queues the rows
    tasks.sweep(older_than=timedelta(0))
    deadline = time.monotonic() + 40
    unfinished = [OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.SENDING]
    while time.monotonic() < deadline and OutgoingEmail.objects.filter(status__in=unfinished).exists():
        time.sleep(0.2)
    messages = smtp_sink.wait_for(1)
    assert [m["To"] for m in messages] == ["ana@example.org"] * len(messages)
    bodies = "\n".join(
        part.get_payload(decode=True).decode() for m in messages for part in m.walk()
        if part.get_content_type() == "text/plain"
    )
    assert SECRET_URL in bodies, "the confirmation carries the join link"
    assert OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT).count() == len(messages)
