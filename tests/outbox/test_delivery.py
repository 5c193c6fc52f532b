"""Delivery through outages and crashes: a long SMTP outage is ridden out and the message sent
once; after the retry period it fails with an alert that needs no SMTP; a message a dead worker
was sending goes out again with the same Message-ID; a message being sent is never sent by a
second delivery at the same time."""

from __future__ import annotations

import itertools
import smtplib
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections
from django.utils import timezone

from outbox import delivery, tasks
from outbox import services as outbox
from outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SWEEP_EVERY = timedelta(minutes=1)  # the beat schedule of outbox.tasks.sweep_outbox (portal/celery.py)


def test_the_sweep_runs_every_minute():
    from portal.celery import app

    assert app.conf.beat_schedule["sweep-outbox"]["schedule"] == SWEEP_EVERY.total_seconds()


class OutageBackend(BaseEmailBackend):
    """An SMTP server that answers 421 until it recovers; keeps what it accepts."""

    down = True
    delivered: list = []

    def send_messages(self, messages):
        if type(self).down:
            raise smtplib.SMTPResponseException(421, b"4.3.2 Service not available, closing channel")
        type(self).delivered.extend(messages)
        return len(messages)


@pytest.fixture
def outage(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_delivery.OutageBackend"
    OutageBackend.down, OutageBackend.delivered = True, []
    yield OutageBackend


def run_the_beat(until: datetime, traveller) -> list[tuple[datetime, int, str]]:
    """Move the frozen clock along Celery beat's minutes and run the outbox sweep, as beat does,
    until ``until``. Returns (time, attempts, status) after each attempt.

    Minutes in which nothing is due are skipped, all but the first after each attempt: that one
    checks that a sweep before the row's time has come does not touch it."""
    seen = []
    now = timezone.now()
    while now < until:
        email = OutgoingEmail.objects.get()
        if email.status != OutgoingEmail.Status.QUEUED:
            break
        early = now + SWEEP_EVERY
        if early < email.next_attempt_at:
            traveller.move_to(early)
            tasks.sweep()
            assert OutgoingEmail.objects.get().attempts == email.attempts, "not tried before its time"
        minutes = -(-(email.next_attempt_at - START) // SWEEP_EVERY)  # the first beat minute at or after it
        now = max(early, START + minutes * SWEEP_EVERY)
        if now > until:
            traveller.move_to(until)
            break
        traveller.move_to(now)
        tasks.sweep()
        email.refresh_from_db()
        seen.append((now, email.attempts, email.status))
    return seen


def test_a_three_day_smtp_outage_is_ridden_out_and_the_message_sent_once(outage, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            email = outbox.queue_email(to="ana@example.org", subject="Your place", body_text="See you there.")
        email.refresh_from_db()
        assert (email.status, email.attempts) == (OutgoingEmail.Status.QUEUED, 1)

        recovery = START + timedelta(days=3) - timedelta(minutes=30)  # the retry period is 72 hours
        history = run_the_beat(recovery, traveller)
        assert all(status == OutgoingEmail.Status.QUEUED for _, _, status in history), "never given up meanwhile"
        assert [attempts for _, attempts, _ in history] == list(range(2, len(history) + 2)), "each beat tried it"
        attempt_times = [START] + [when for when, _, _ in history]
        gaps = [b - a for a, b in itertools.pairwise(attempt_times)]
        assert max(gaps) <= timedelta(hours=1), "at most an hour between attempts"
        assert len(attempt_times) > 70 and attempt_times[-1] > recovery - timedelta(hours=1), "tried all along"
        assert outage.delivered == []

        outage.down = False
        run_the_beat(recovery + timedelta(hours=2), traveller)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.sent_at - recovery <= timedelta(hours=1)
    assert [m.subject for m in outage.delivered] == ["Your place"], "delivered exactly once"


@pytest.mark.parametrize("hours", [72, 5])
def test_after_the_retry_period_the_message_fails_with_an_alert_that_needs_no_smtp(
    hours, outage, settings, caplog, network_coordinator_client, coordinator_a, client
):
    settings.OUTBOX_RETRY_HOURS = hours
    with time_machine.travel(START, tick=False) as traveller:
        email = outbox.queue_email(to="private.person@example.org", subject="Your place", body_text="See you.")
        tasks.sweep(older_than=timedelta(0))  # the first attempt
        history = run_the_beat(START + timedelta(hours=hours + 2), traveller)
        failed_at = next(when for when, _, status in history if status == OutgoingEmail.Status.FAILED)
        assert START + timedelta(hours=hours) <= failed_at <= START + timedelta(hours=hours) + SWEEP_EVERY
        assert [status for _, _, status in history[:-1]] == [OutgoingEmail.Status.QUEUED] * (len(history) - 1)

        errors = [r for r in caplog.records if r.levelname == "ERROR" and r.name == "outbox.delivery"]
        assert len(errors) == 1
        assert f"Outgoing email {email.pk} given up after" in errors[0].getMessage()
        assert "private.person" not in caplog.text, "the log never names the recipient"

        page = network_coordinator_client.get("/admin/").content.decode()
        assert "1 email could not be delivered in the last 7 days." in page
        assert "/admin/outbox/outgoingemail/?status__exact=failed" in page
        client.force_login(coordinator_a)  # a partner's coordinator does not see the outbox
        assert "could not be delivered" not in client.get("/admin/").content.decode()
    assert outage.delivered == []


def test_the_admin_index_is_quiet_while_nothing_has_failed(network_coordinator_client):
    outbox.queue_email(to="ana@example.org", subject="Waiting", body_text="Text")
    assert "could not be delivered" not in network_coordinator_client.get("/admin/").content.decode()


class CrashingBackend(BaseEmailBackend):
    """The server receives the message, then the worker dies before it hears the reply."""

    crash = True
    received: list[str] = []

    def send_messages(self, messages):
        type(self).received.extend(m.message()["Message-ID"] for m in messages)
        if type(self).crash:
            raise SystemExit("worker killed")  # not an Exception: nothing in delivery may catch it
        return len(messages)


def test_a_row_a_crashed_worker_left_sending_is_resent_by_the_sweep_with_the_same_message_id(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_delivery.CrashingBackend"
    CrashingBackend.crash, CrashingBackend.received = True, []
    with time_machine.travel(START, tick=False) as traveller:
        email = outbox.queue_email(to="ana@example.org", subject="Your place", body_text="See you.")
        with pytest.raises(SystemExit):
            delivery.deliver(email_id=email.pk)
        email.refresh_from_db()
        assert email.status == OutgoingEmail.Status.SENDING, "the claim was committed before SMTP was spoken to"
        assert email.message_id.endswith("@testserver>")

        CrashingBackend.crash = False  # a new worker
        traveller.shift(delivery.SENDING_TIMEOUT - SWEEP_EVERY)
        assert tasks.sweep() == 0, "a row may still be sending for a while"
        traveller.shift(SWEEP_EVERY)
        assert tasks.sweep() == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.attempts == 2
    assert CrashingBackend.received == [email.message_id, email.message_id]


def test_a_stalled_row_past_its_retry_period_fails_instead_of_looping(settings, caplog):
    settings.OUTBOX_RETRY_HOURS = 1
    settings.EMAIL_BACKEND = "tests.outbox.test_delivery.CrashingBackend"
    CrashingBackend.crash, CrashingBackend.received = True, []
    with time_machine.travel(START, tick=False) as traveller:
        email = outbox.queue_email(to="ana@example.org", subject="Poison", body_text="Kills its worker.")
        for _ in range(20):  # each attempt kills the worker; the sweep hands it over again
            traveller.shift(delivery.SENDING_TIMEOUT)
            try:
                tasks.sweep(older_than=timedelta(0))
            except SystemExit:
                pass
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED
    assert 10 <= len(CrashingBackend.received) <= 13, "tried for the hour, then no more"
    assert "given up after 1 hours" in caplog.text


class SecondWorkerBackend(BaseEmailBackend):
    """While the first worker talks to SMTP, a second worker is handed the same row."""

    second_result = ""

    def send_messages(self, messages):
        type(self).second_result = delivery.deliver(
            email_id=OutgoingEmail.objects.get().pk, connection=mail.get_connection("django.core.mail.backends.locmem.EmailBackend")
        )
        return mail.get_connection("django.core.mail.backends.locmem.EmailBackend").send_messages(messages)


def test_a_row_being_sent_is_not_sent_by_a_second_delivery(mailoutbox):
    email = outbox.queue_email(to="ana@example.org", subject="Once", body_text="Only once.")
    assert delivery.deliver(email_id=email.pk, connection=SecondWorkerBackend()) == OutgoingEmail.Status.SENT
    assert SecondWorkerBackend.second_result == OutgoingEmail.Status.SENDING
    assert [m.subject for m in mailoutbox] == ["Once"]


def test_a_duplicate_task_for_a_row_waiting_to_be_retried_does_nothing(outage):
    email = outbox.queue_email(to="ana@example.org", subject="Later", body_text="Text")
    with pytest.raises(delivery.TransientEmailError):
        delivery.deliver(email_id=email.pk)
    outage.down = False
    # The sweep handed the row over twice while the first task waited in the queue:
    assert delivery.deliver(email_id=email.pk) == OutgoingEmail.Status.QUEUED
    assert OutgoingEmail.objects.get().attempts == 1 and outage.delivered == []


def test_every_attempt_of_a_message_carries_its_one_message_id(outage):
    email = outbox.queue_email(to="ana@example.org", subject="Same", body_text="Text")
    with pytest.raises(delivery.TransientEmailError):
        delivery.deliver(email_id=email.pk)
    first_id = OutgoingEmail.objects.get().message_id
    outage.down = False
    OutgoingEmail.objects.update(next_attempt_at=timezone.now())
    assert delivery.deliver(email_id=email.pk) == OutgoingEmail.Status.SENT
    assert outage.delivered[0].message()["Message-ID"] == first_id
    other = outbox.queue_email(to="bo@example.org", subject="Other", body_text="Text")
    delivery.deliver(email_id=other.pk)
    assert OutgoingEmail.objects.get(pk=other.pk).message_id != first_id


class SlowBackend(BaseEmailBackend):
    """An SMTP server that holds the message until the test lets it go."""

    release = threading.Event()
    entered = threading.Event()

    def send_messages(self, messages):
        type(self).entered.set()
        assert type(self).release.wait(10)
        return len(messages)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_while_smtp_is_slow_no_lock_is_held_and_a_second_delivery_returns_at_once():
    SlowBackend.release.clear()
    SlowBackend.entered.clear()
    # Written without queue_email: here every commit is real, and its task would run at once.
    email = OutgoingEmail.objects.create(to="ana@example.org", subject="Slow", body_text="Text")
    results: list[str] = []

    def first_worker() -> None:
        try:
            results.append(delivery.deliver(email_id=email.pk, connection=SlowBackend()))
        finally:
            connections.close_all()

    worker = threading.Thread(target=first_worker)
    worker.start()
    try:
        assert SlowBackend.entered.wait(10)
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # the old code held the row lock here
            second = delivery.deliver(email_id=email.pk, connection=SlowBackend())
            cursor.execute("SET lock_timeout = 0")
        assert second == OutgoingEmail.Status.SENDING
        assert time.monotonic() - started < 1
        assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENDING, "visible to every connection"
    finally:
        SlowBackend.release.set()
        worker.join(15)
    assert results == [OutgoingEmail.Status.SENT]
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT
