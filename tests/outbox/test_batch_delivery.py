"""A batch of outbox rows (``tasks.deliver_emails``, ``delivery.deliver_many``): claimed in one
statement, each message recorded before the next is sent; a worker that dies half-way leaves
the message on the wire to go out again with its Message-ID and the rest to the sweep; a row
whose turn comes late is claimed afresh, so the sweep never hands it to a second worker."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outbox import delivery, tasks
from outbox import services as outbox
from outbox.models import OutgoingEmail
from outbox.renderers import RenderedEmail, register

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def queue(count: int, **fields) -> list[int]:
    """Rows as a mail-out's batch writes them (their tasks are not run: nothing commits here)."""
    return [outbox.queue_email(to=f"reader{i}@example.org", subject=f"M{i}", body_text="Hello", **fields).pk
            for i in range(count)]


def statuses() -> dict[str, str]:
    return dict(OutgoingEmail.objects.order_by("pk").values_list("subject", "status"))


class WatchingBackend(BaseEmailBackend):
    """Accepts every message, and notes the status of every row at the moment it is sent."""

    seen: list[tuple[str, dict[str, str]]] = []

    def send_messages(self, messages):
        type(self).seen.append((messages[0].subject, statuses()))
        return len(messages)


def test_a_batch_is_claimed_together_and_each_message_recorded_before_the_next_is_sent(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_batch_delivery.WatchingBackend"
    WatchingBackend.seen = []
    ids = queue(3)
    assert tasks.deliver_emails(ids) == 3
    sending, sent = OutgoingEmail.Status.SENDING, OutgoingEmail.Status.SENT
    assert WatchingBackend.seen == [
        ("M0", {"M0": sending, "M1": sending, "M2": sending}),
        ("M1", {"M0": sent, "M1": sending, "M2": sending}),
        ("M2", {"M0": sent, "M1": sent, "M2": sending}),
    ]
    assert set(statuses().values()) == {sent}


def test_a_batch_costs_one_claim_and_one_record_per_message(mailoutbox, django_assert_num_queries):
    ids = queue(5)
    with django_assert_num_queries(1 + 5):
        assert tasks.deliver_emails(ids) == 5
    assert [m.subject for m in mailoutbox] == ["M0", "M1", "M2", "M3", "M4"]


def test_each_row_of_a_batch_gets_its_own_message_id_in_the_site_domain(mailoutbox):
    ids = queue(3)
    tasks.deliver_emails(ids)
    message_ids = [m.extra_headers["Message-ID"] for m in mailoutbox]
    assert len(set(message_ids)) == 3
    assert all(mid.startswith("<") and mid.endswith("@testserver>") for mid in message_ids)
    assert message_ids == list(OutgoingEmail.objects.filter(pk__in=ids).order_by("pk").values_list("message_id", flat=True))


def test_rows_that_are_not_queued_and_due_are_left_as_they_are(mailoutbox):
    sent, later, cancelled, due = queue(4)
    OutgoingEmail.objects.filter(pk=sent).update(status=OutgoingEmail.Status.SENT, sent_at=timezone.now())
    OutgoingEmail.objects.filter(pk=later).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    OutgoingEmail.objects.filter(pk=cancelled).update(status=OutgoingEmail.Status.CANCELLED)
    assert tasks.deliver_emails([sent, later, cancelled, due, 999_999, due]) == 1
    assert [m.subject for m in mailoutbox] == ["M3"]
    assert statuses() == {"M0": "sent", "M1": "queued", "M2": "cancelled", "M3": "sent"}


def test_a_row_written_as_what_to_render_is_rendered_and_sent_in_its_place_in_the_batch(mailoutbox):
    register("tests.batch", lambda *, name: RenderedEmail(subject=f"Hello {name}", body_text=f"Dear {name}"))
    first = queue(1)[0]
    later = outbox.queue_email(to="ana@example.org", subject="", body_text="", renderer="tests.batch",
                               render_args={"name": "Ana"}).pk
    last = outbox.queue_email(to="bo@example.org", subject="Last", body_text="Text").pk
    assert tasks.deliver_emails([first, later, last]) == 3
    assert [(m.subject, m.body) for m in mailoutbox] == [("M0", "Hello"), ("Hello Ana", "Dear Ana"), ("Last", "Text")]
    row = OutgoingEmail.objects.get(pk=later)
    assert (row.status, row.renderer, row.body_text) == (OutgoingEmail.Status.SENT, "", "Dear Ana")


class FailingOnceBackend(BaseEmailBackend):
    """Answers 421 to the message with the subject ``fail``, accepts the others; counts the
    connections it was opened as (a backend instance is one connection)."""

    fail = "M1"
    accepted: list[str] = []
    opened = 0

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        type(self).opened += 1

    def send_messages(self, messages):
        if messages[0].subject == type(self).fail:
            raise smtplib.SMTPResponseException(421, b"4.3.2 Try again later")
        type(self).accepted.append(messages[0].subject)
        return len(messages)


def test_a_transient_failure_queues_that_message_for_later_and_the_rest_of_the_batch_goes_out(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_batch_delivery.FailingOnceBackend"
    FailingOnceBackend.accepted, FailingOnceBackend.opened = [], 0
    ids = queue(3)
    assert tasks.deliver_emails(ids) == 2
    assert FailingOnceBackend.accepted == ["M0", "M2"]
    assert FailingOnceBackend.opened == 2, "the connection is dropped after the failure"
    failed = OutgoingEmail.objects.get(pk=ids[1])
    assert failed.status == OutgoingEmail.Status.QUEUED
    assert failed.next_attempt_at >= timezone.now() + timedelta(seconds=50)
    assert failed.attempts == 1 and "421" in failed.last_error


class KilledBackend(BaseEmailBackend):
    """The server receives each message; the worker dies (SystemExit: nothing in delivery may
    catch it) before it hears the reply to the one with the subject ``kill``."""

    kill = "M1"
    received: list[tuple[str, str]] = []

    def send_messages(self, messages):
        message = messages[0]
        type(self).received.append((message.subject, message.extra_headers["Message-ID"]))
        if message.subject == type(self).kill:
            raise SystemExit("worker killed")
        return len(messages)


def test_a_worker_dying_half_way_leaves_the_message_on_the_wire_to_be_resent_with_its_message_id(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_batch_delivery.KilledBackend"
    KilledBackend.kill, KilledBackend.received = "M1", []
    with time_machine.travel(START, tick=False) as traveller:
        ids = queue(4)
        with pytest.raises(SystemExit):
            tasks.deliver_emails(ids)
        assert statuses() == {"M0": "sent", "M1": "sending", "M2": "queued", "M3": "queued"}, (
            "the rows not yet sent are back in the queue at once; the one on the wire waits for the sweep"
        )
        KilledBackend.kill = ""  # a new worker
        assert tasks.sweep(older_than=timedelta(0)) == 2  # the two put back
        assert statuses() == {"M0": "sent", "M1": "sending", "M2": "sent", "M3": "sent"}
        traveller.shift(delivery.SENDING_TIMEOUT)
        assert tasks.sweep() == 1
    assert set(statuses().values()) == {OutgoingEmail.Status.SENT}
    rows = dict(OutgoingEmail.objects.values_list("subject", "message_id"))
    assert KilledBackend.received == [("M0", rows["M0"]), ("M1", rows["M1"]), ("M2", rows["M2"]), ("M3", rows["M3"]),
                                      ("M1", rows["M1"])], "only the message on the wire went out twice, with one Message-ID"


class SlowServerBackend(BaseEmailBackend):
    """A server so slow that two minutes pass with each message (a batch's last rows wait
    longer than ``SENDING_TIMEOUT`` for their turn); meanwhile beat's sweep runs (and, tasks
    being eager here, another worker delivers what it hands over)."""

    traveller = None
    received: list[str] = []
    busy = False

    def send_messages(self, messages):
        type(self).received.append(messages[0].subject)
        if not type(self).busy:  # the other worker's deliveries are quick
            type(self).busy = True
            try:
                type(self).traveller.shift(timedelta(minutes=2))
                tasks.sweep()
            finally:
                type(self).busy = False
        return len(messages)


def test_a_row_whose_turn_comes_late_is_claimed_afresh_and_never_sent_by_two_workers(settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_batch_delivery.SlowServerBackend"
    SlowServerBackend.received = []
    with time_machine.travel(START, tick=False) as traveller:
        SlowServerBackend.traveller = traveller
        ids = queue(5)
        assert tasks.deliver_emails(ids) == 5
        assert timezone.now() - START >= 2 * delivery.SENDING_TIMEOUT
    assert SlowServerBackend.received == ["M0", "M1", "M2", "M3", "M4"], "each message sent once, by this worker"
    assert set(statuses().values()) == {OutgoingEmail.Status.SENT}


def test_a_batch_claims_at_most_claim_batch_rows_at_a_time(mailoutbox, monkeypatch):
    monkeypatch.setattr(delivery, "CLAIM_BATCH", 2)
    ids = queue(5)
    with CaptureQueriesContext(connection) as queries:
        assert tasks.deliver_emails(ids) == 5
    claims = [q["sql"] for q in queries.captured_queries if "RETURNING" in q["sql"]]
    assert len(claims) == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's asynchronous commit")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_sent_record_commits_without_waiting_for_the_disk_only_in_its_own_transaction(mailoutbox):
    """A message already sent is recorded without the wait for the disk: only a crash of the
    database server itself could lose the record, and then the message goes out again with its
    Message-ID. A caller's own transaction keeps its durability."""
    first = OutgoingEmail.objects.create(to="ana@example.org", subject="Own", body_text="Text").pk
    second = OutgoingEmail.objects.create(to="bo@example.org", subject="Caller's", body_text="Text").pk
    with CaptureQueriesContext(connection) as own:
        assert delivery.deliver(email_id=first) == OutgoingEmail.Status.SENT
    with CaptureQueriesContext(connection) as callers, transaction.atomic():
        assert delivery.deliver(email_id=second) == OutgoingEmail.Status.SENT
    asynchronous = "set_config('synchronous_commit', 'off', true)"
    assert [asynchronous in q["sql"] for q in own.captured_queries if q["sql"].startswith("UPDATE")] == [False, True]
    assert not any(asynchronous in q["sql"] for q in callers.captured_queries)
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {OutgoingEmail.Status.SENT}


def test_a_batch_handed_over_twice_is_sent_once(mailoutbox):
    ids = queue(3)
    assert tasks.deliver_emails(ids) == 3
    assert tasks.deliver_emails(ids) == 0
    assert [m.subject for m in mailoutbox] == ["M0", "M1", "M2"]
