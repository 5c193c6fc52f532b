"""The email outbox: written in the transaction, sent once after commit, never lost."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from outbox import delivery, tasks
from outbox import services as outbox
from outbox.models import OutgoingEmail
from outbox.tasks import deliver_email

pytestmark = pytest.mark.django_db


def queue(**extra) -> OutgoingEmail:
    fields = dict(to="ana@example.org", subject="Hello", body_text="Text part", body_html="<p>HTML part</p>")
    fields.update(extra)
    return outbox.queue_email(**fields)


class FailingBackend(BaseEmailBackend):
    def __init__(self, exc: Exception, **kwargs):
        super().__init__(**kwargs)
        self.exc = exc

    def send_messages(self, messages):
        raise self.exc


def test_message_is_sent_after_commit_with_text_and_html(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == ["ana@example.org"]
    assert sent.body == "Text part"
    assert sent.alternatives[0][0] == "<p>HTML part</p>"
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.sent_at is not None


def test_nothing_is_sent_before_commit(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue()
    assert len(callbacks) == 1
    assert mailoutbox == []


def test_rollback_leaves_no_message(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                queue()
                raise RuntimeError("the change that caused the email failed")
    assert OutgoingEmail.objects.count() == 0
    assert mailoutbox == []


def test_the_task_run_twice_sends_once(mailoutbox):
    email = queue()  # no commit callbacks run inside the test transaction
    deliver_email.apply(args=[email.pk])
    deliver_email.apply(args=[email.pk])
    assert len(mailoutbox) == 1


def test_idempotency_key_writes_one_message(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(idempotency_key="reminder:1")
        second = queue(idempotency_key="reminder:1")
    assert first.pk == second.pk
    assert OutgoingEmail.objects.count() == 1
    assert len(mailoutbox) == 1


def test_broker_down_at_commit_then_back_delivers_once(mailoutbox, monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(deliver_email, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()  # the request that wrote it does not fail
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.QUEUED
    assert mailoutbox == []

    monkeypatch.undo()  # Redis is back
    assert tasks.sweep() == 0, "a fresh row is left to the broker for a while"
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert tasks.sweep() == 1
        assert tasks.sweep() == 0
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    "exc",
    [
        smtplib.SMTPResponseException(451, b"4.3.0 Mail server temporarily rejected message"),
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        ConnectionRefusedError(111, "Connection refused"),
    ],
)
def test_transient_smtp_failure_keeps_the_message_queued_with_backoff(exc):
    email = queue()
    before = timezone.now()
    with pytest.raises(delivery.TransientEmailError):
        delivery.deliver(email_id=email.pk, connection=FailingBackend(exc))
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.QUEUED
    assert email.attempts == 1
    assert email.next_attempt_at >= before + timedelta(seconds=59)
    assert type(exc).__name__ in email.last_error


def test_permanent_smtp_failure_marks_the_message_failed():
    email = queue()
    exc = smtplib.SMTPResponseException(550, b"5.1.1 Mailbox does not exist")
    assert delivery.deliver(email_id=email.pk, connection=FailingBackend(exc)) == OutgoingEmail.Status.FAILED
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED
    assert "550" in email.last_error


def test_transient_failures_give_up_once_the_retry_period_is_over(settings):
    settings.OUTBOX_RETRY_HOURS = 72
    email = queue()
    exc = smtplib.SMTPResponseException(421, b"Service not available")
    with pytest.raises(delivery.TransientEmailError):
        delivery.deliver(email_id=email.pk, connection=FailingBackend(exc))
    email.refresh_from_db()
    with time_machine.travel(email.first_attempt_at + timedelta(hours=71, minutes=59), tick=False):
        with pytest.raises(delivery.TransientEmailError):
            delivery.deliver(email_id=email.pk, connection=FailingBackend(exc))
        email.refresh_from_db()
        assert email.next_attempt_at == email.first_attempt_at + timedelta(hours=72), "the last try is at the end"
    with time_machine.travel(email.next_attempt_at, tick=False):
        assert delivery.deliver(email_id=email.pk, connection=FailingBackend(exc)) == OutgoingEmail.Status.FAILED


def test_backoff_grows_and_is_capped():
    delays = [delivery.retry_delay(n) for n in range(1, 10)]
    assert delays == sorted(delays)
    assert delays[0] == timedelta(minutes=1)
    assert delays[-1] == timedelta(minutes=60)


def test_attachments_and_headers_are_sent(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue(
            headers={"List-Unsubscribe": "<https://example.org/u/abc>"},
            attachments=[outbox.Attachment("event.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")],
        )
    message = mailoutbox[0]
    assert message.extra_headers["List-Unsubscribe"] == "<https://example.org/u/abc>"
    assert message.attachments[0][0] == "event.ics"


def test_resend_requeues_and_sends_again(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.resend(email_ids=[email.pk]) == 1
    assert len(mailoutbox) == 2


def test_resend_gives_a_new_message_id_and_leaves_a_message_being_sent_alone(django_capture_on_commit_callbacks):
    sent, sending = queue(subject="Sent"), queue(subject="Sending")
    delivery.deliver(email_id=sent.pk)
    OutgoingEmail.objects.filter(pk=sending.pk).update(
        status=OutgoingEmail.Status.SENDING, last_attempt_at=timezone.now(), message_id="<held@testserver>"
    )
    first_id = OutgoingEmail.objects.get(pk=sent.pk).message_id
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.resend(email_ids=[sent.pk, sending.pk]) == 1
    assert OutgoingEmail.objects.get(pk=sending.pk).status == OutgoingEmail.Status.SENDING
    resent = OutgoingEmail.objects.get(pk=sent.pk)
    assert resent.status == OutgoingEmail.Status.SENT and resent.message_id not in ("", first_id)


def test_resend_queues_only_sent_and_failed_messages(mailoutbox, django_capture_on_commit_callbacks):
    Status = OutgoingEmail.Status
    rows = {status: outbox.queue_email(to=f"{status}@example.org", subject=status, body_text="Text")
            for status in [Status.SENT, Status.FAILED, Status.QUEUED, Status.CANCELLED]}
    OutgoingEmail.objects.filter(pk=rows[Status.SENT].pk).update(status=Status.SENT, sent_at=timezone.now(),
                                                                  message_id="<sent@portal.example>")
    OutgoingEmail.objects.filter(pk=rows[Status.FAILED].pk).update(status=Status.FAILED)
    OutgoingEmail.objects.filter(pk=rows[Status.QUEUED].pk).update(message_id="<requeued-stalled@portal.example>")
    OutgoingEmail.objects.filter(pk=rows[Status.CANCELLED].pk).update(status=Status.CANCELLED)

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.resend(email_ids=[row.pk for row in rows.values()]) == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["failed@example.org", "sent@example.org"]
    assert OutgoingEmail.objects.get(pk=rows[Status.CANCELLED].pk).status == Status.CANCELLED, "stopped on purpose"
    assert OutgoingEmail.objects.get(pk=rows[Status.QUEUED].pk).message_id == "<requeued-stalled@portal.example>", (
        "a possibly delivered copy keeps its Message-ID"
    )


@pytest.fixture
def email_templates(tmp_path, settings):
    """A folder of test email templates in front of every template engine's own."""
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]} for engine in settings.TEMPLATES]
    folder = tmp_path / "emails"
    folder.mkdir()
    return folder


def test_templated_email_renders_the_triplet_in_the_requested_language(email_templates):
    (email_templates / "hello.subject.txt").write_text(
        "{% load i18n %}{% get_current_language as l %}Hi {{ name }} ({{ l }})\n"
    )
    (email_templates / "hello.txt").write_text("Hello {{ name }}")
    (email_templates / "hello.html").write_text("<p>Hello {{ name }}</p>")
    email = outbox.queue_templated_email(to="b@example.org", template="hello", context={"name": "Ana"}, language="sl")
    assert email.subject == "Hi Ana (sl)"
    assert email.body_text == "Hello Ana"
    assert email.body_html == "<p>Hello Ana</p>"
    assert email.language == "sl"
    assert email.purpose == "hello"


class CountingBackend(BaseEmailBackend):
    """Stands in for the SMTP backend: counts how often a connection is opened."""

    opened = 0

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.connection = None

    def open(self):
        if self.connection is None:
            type(self).opened += 1
            self.connection = object()
            return True
        return False

    def close(self):
        self.connection = None

    def send_messages(self, messages):
        return len(messages)


def test_a_worker_reuses_one_smtp_connection_for_many_messages(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_outbox.CountingBackend"
    CountingBackend.opened = 0
    keeper = delivery.ConnectionKeeper()
    emails = [queue(subject=f"Message {n}") for n in range(3)]
    for email in emails:
        assert delivery.deliver(email_id=email.pk, connection=keeper.get()) == OutgoingEmail.Status.SENT
    assert CountingBackend.opened == 1
    keeper.drop()  # after a failure the next message opens a fresh connection
    assert delivery.deliver(email_id=queue().pk, connection=keeper.get()) == OutgoingEmail.Status.SENT
    assert CountingBackend.opened == 2


def test_an_idle_connection_is_reopened(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_outbox.CountingBackend"
    keeper = delivery.ConnectionKeeper(max_idle=30)
    first = keeper.get()
    assert keeper.get() is first
    keeper._last_used -= 60  # a minute without messages
    assert keeper.get() is not first


def test_without_a_broker_a_transient_failure_is_not_retried_inside_the_request(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.outbox.test_outbox.TemporarilyDownBackend"
    email = queue()
    deliver_email.apply(args=[email.pk])  # eager, as when REDIS_URL is unset
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.QUEUED
    assert email.attempts == 1, "one attempt, not all of them at once"


def test_sweep_command_sends_what_waits(mailoutbox):
    from io import StringIO

    from django.core.management import call_command

    queue(subject="Waiting")
    out = StringIO()
    call_command("sweep_outbox", stdout=out)
    assert "1 queued message" in out.getvalue()
    assert [m.subject for m in mailoutbox] == ["Waiting"]


class TemporarilyDownBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPResponseException(421, b"Try again later")


def test_text_part_and_subject_are_not_html_escaped(email_templates):
    (email_templates / "co.subject.txt").write_text("Welcome, {{ name }}")
    (email_templates / "co.txt").write_text("Hello {{ name }}: {{ url }}")
    (email_templates / "co.html").write_text("<p>Hello {{ name }}</p>")
    email = outbox.queue_templated_email(
        to="b@example.org", template="co", context={"name": "Smith & Co <Ltd>", "url": "https://x.example/j/1?a=1&b=2"}
    )
    assert email.subject == "Welcome, Smith & Co <Ltd>"
    assert email.body_text == "Hello Smith & Co <Ltd>: https://x.example/j/1?a=1&b=2"
    assert email.body_html == "<p>Hello Smith &amp; Co &lt;Ltd&gt;</p>"


def test_a_permanent_failure_is_logged_without_the_recipient(caplog):
    email = queue(to="private.person@example.org")
    exc = smtplib.SMTPResponseException(550, b"5.1.1 <private.person@example.org>: Recipient address rejected")
    delivery.deliver(email_id=email.pk, connection=FailingBackend(exc))
    assert f"Outgoing email {email.pk} failed permanently" in caplog.text
    assert "private.person" not in caplog.text
