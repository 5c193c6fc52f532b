"""Queueing a Celery task never fails the request or task that committed the work
(``core.breaker.publish``): with the broker down or hung it answers False within about a
second, then at once while the broker's circuit breaker is open, and logs who will pick the work
up; an announcement a coordinator sends meanwhile is started by the stalled-announcement check
once the broker is back."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.breaker import publish
from mailing import tasks as mailing_tasks
from mailing.models import Announcement
from outbox.models import OutgoingEmail
from outbox.tasks import sweep_outbox
from tests.broker import point_celery_at
from tests.mailing.factories import AnnouncementFactory, MailingListFactory, SubscriptionFactory


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def broker_back() -> None:
    """Celery runs tasks where they are queued again, as in the rest of the suite (the broker
    fixtures restore their own settings afterwards)."""
    from portal.celery import app

    point_celery_at(app.conf.broker_url, task_always_eager=True)


@pytest.mark.django_db
def test_without_a_broker_the_task_runs_here():
    assert publish(sweep_outbox, retried_by="nobody") is True


@pytest.mark.django_db
def test_with_the_broker_unavailable_it_answers_false_then_skips_the_broker(redis_unavailable, caplog):
    caplog.set_level(logging.WARNING, logger="core.breaker")
    first, first_took = timed(lambda: publish(sweep_outbox, retried_by="the outbox sweep"))
    second, second_took = timed(lambda: publish(sweep_outbox, retried_by="the outbox sweep"))
    assert (first, second) == (False, False)
    assert first_took < 1.5, f"one publish timeout at most; took {first_took:.2f} s"
    assert second_took < 0.1, f"the breaker is open: the broker is not asked; took {second_took:.2f} s"
    assert "Could not queue outbox.tasks.sweep_outbox() (no broker); the outbox sweep will retry." in caplog.text


def test_an_error_that_says_nothing_about_the_broker_is_logged_not_raised(settings, caplog):
    from portal.celery import app

    working = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    point_celery_at("no-such-transport://", task_always_eager=False)
    try:
        assert publish(sweep_outbox, retried_by="the outbox sweep") is False
    finally:
        point_celery_at(**working)
    assert "Could not queue outbox.tasks.sweep_outbox(); the outbox sweep will retry." in caplog.text


@pytest.mark.django_db(transaction=True)  # the request commits, and queues the batch after its commit, as in production
def test_sending_an_announcement_while_the_broker_is_unavailable_redirects_and_resumes_later(
    redis_unavailable, admin_client, mailoutbox
):
    mailing_list = MailingListFactory()
    SubscriptionFactory.create_batch(3, mailing_list=mailing_list)
    announcement = AnnouncementFactory(mailing_list=mailing_list)
    admin_client.raise_request_exception = False  # a 500 is a response here, not a test error
    send = reverse("admin:mailing_announcement_send", args=[announcement.pk])

    response, took = timed(lambda: admin_client.post(send))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:mailing_announcement_change", args=[announcement.pk])
    assert took < 2, f"a hung broker costs one publish timeout; took {took:.2f} s"
    assert Announcement.objects.get(pk=announcement.pk).status == Announcement.Status.SENDING
    assert not OutgoingEmail.objects.exists(), "the first batch was not queued"

    broker_back()
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert mailing_tasks.resume_stalled_announcements() == 1
    assert Announcement.objects.get(pk=announcement.pk).status == Announcement.Status.SENT
    assert sorted(m.to[0] for m in mailoutbox) == sorted(mailing_list.subscriptions.values_list("email", flat=True))
