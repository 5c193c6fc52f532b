"""A message written to the outbox arrives through a real worker, Redis and SMTP — once."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import transaction

from outbox import services as outbox
from outbox import tasks
from outbox.models import OutgoingEmail
from tests.broker import UNREACHABLE_BROKER, point_celery_at

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("many-connections")]  # see pyproject's addopts


def wait_for_status(email_id: int, status: str, timeout: float = 40.0) -> OutgoingEmail:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        email = OutgoingEmail.objects.get(pk=email_id)
        if email.status == status:
            return email
        time.sleep(0.2)
    raise AssertionError(f"outgoing email {email_id} did not reach {status!r}; it is {email.status!r}")


def test_a_message_written_to_the_outbox_arrives(celery_worker, smtp_sink):
    with transaction.atomic():
        email = outbox.queue_email(
            to="ana@example.org", subject="Integration hello", body_text="Plain", body_html="<p>Rich</p>"
        )
    wait_for_status(email.pk, OutgoingEmail.Status.SENT)
    messages = smtp_sink.wait_for(1)
    assert [m["Subject"] for m in messages] == ["Integration hello"]
    assert messages[0].is_multipart()


def test_broker_down_at_commit_then_back_delivers_once(celery_worker, smtp_sink, caplog):
    from portal.celery import app

    working_broker = app.conf.broker_url
    point_celery_at(UNREACHABLE_BROKER)  # Redis unreachable
    started = time.monotonic()
    with transaction.atomic():
        email = outbox.queue_email(to="bo@example.org", subject="Delayed hello", body_text="Plain")
    assert time.monotonic() - started < 10, "a broker outage must not hang the request"
    assert OutgoingEmail.objects.get(pk=email.pk).status == OutgoingEmail.Status.QUEUED
    assert "the outbox sweep will retry" in caplog.text, "publishing must really have failed"

    point_celery_at(working_broker)  # Redis is back
    assert tasks.sweep(older_than=timedelta(0)) >= 1
    wait_for_status(email.pk, OutgoingEmail.Status.SENT)
    tasks.sweep(older_than=timedelta(0))  # a second sweep must not send it again
    time.sleep(1.0)
    subjects = [m["Subject"] for m in smtp_sink.wait_for(1)]
    assert subjects == ["Delayed hello"]
