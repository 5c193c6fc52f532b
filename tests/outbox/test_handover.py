"""New outbox rows are handed to Celery a moment after their commit, several in one task
(``outbox.handover``), and nothing is lost on the way: an id the process could not publish is
published by the next batch or, at worst, found by the sweep; handing over never fails the
request whose change has committed."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import transaction

from core.handover import HandOver
from outbox import services
from outbox.handover import handover
from outbox.models import OutgoingEmail
from tests.mailing.conftest import queued_tasks  # noqa: F401 — the broker fixture

pytestmark = pytest.mark.django_db(transaction=True)


def _until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


class Gate:
    """A publish that records its batches and, while ``held``, waits before the first one: the
    ids added meanwhile must all arrive in the batch after it, whatever the machine's speed."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.held = threading.Event()
        self.release = threading.Event()

    def __call__(self, ids: list[int]) -> None:
        if self.held.is_set() and not self.release.is_set():
            self.release.wait(10)
        self.batches.append(ids)


def test_messages_committed_close_together_go_to_the_broker_as_one_task(settings, queued_tasks):  # noqa: F811
    settings.HANDOVER_MS = 60_000  # the thread waits: the ids are handed over by flush()
    ids = []
    for n in range(3):  # three requests, one message each
        with transaction.atomic():
            ids.append(services.queue_email(to=f"p{n}@example.org", subject="Hello", body_text="Hi").pk)
    assert handover.pending() == 3 and queued_tasks.take() == [], "the request does not wait for the broker"
    handover.flush()  # what the thread does when its moment has come
    assert queued_tasks.take() == [("outbox.tasks.deliver_emails", (ids,))]
    assert OutgoingEmail.objects.filter(pk__in=ids, status=OutgoingEmail.Status.QUEUED).count() == 3


def test_the_thread_publishes_what_gathered_meanwhile_in_one_batch():
    gate = Gate()
    handing = HandOver(gate, seconds=lambda: 0.01)
    gate.held.set()
    handing.add(1)
    _until(lambda: handing.pending() == 0)  # the thread took [1] and waits in publish
    handing.add(2)
    handing.add(3)
    gate.release.set()
    _until(lambda: len(gate.batches) == 2)
    assert gate.batches == [[1], [2, 3]]


def test_a_discarded_batch_ends_its_wait_and_the_next_items_wait_afresh():
    """What one test discards is not published, and the wait it was in does not publish the next
    test's items early: ``discard`` ends that wait, and items added after it start a wait of their own."""
    gate = Gate()
    waits = []

    def seconds() -> float:
        if threading.current_thread().name == "discard-test":
            waits.append(time.monotonic())
        return 60.0

    handing = HandOver(gate, seconds=seconds, name="discard-test")
    handing.add(1)
    _until(lambda: len(waits) == 1)  # the thread waits for the batch [1]
    assert handing.discard() == 1
    handing.add(2)
    _until(lambda: len(waits) == 2)  # a new wait, for [2], not the end of the old one
    assert gate.batches == [] and handing.pending() == 1
    handing.discard()


def test_a_rolled_back_message_is_never_handed_over(settings, queued_tasks):  # noqa: F811
    settings.HANDOVER_MS = 60_000
    with pytest.raises(RuntimeError), transaction.atomic():
        services.queue_email(to="p@example.org", subject="Hello", body_text="Hi")
        raise RuntimeError("the change failed")
    assert handover.pending() == 0
    handover.flush()
    assert queued_tasks.take() == [] and not OutgoingEmail.objects.exists()


def test_without_a_delay_an_id_is_published_at_once_in_the_callers_thread():
    published: list[tuple[list[int], str]] = []
    handing = HandOver(lambda ids: published.append((ids, threading.current_thread().name)), seconds=lambda: 0)
    handing.add(7)
    assert published == [([7], threading.current_thread().name)] and handing.pending() == 0


def test_a_failed_publish_leaves_the_thread_running_for_the_next_ids():
    published: list[list[int]] = []

    def publish(ids: list[int]) -> None:
        if not published:
            published.append([])  # the first call fails, as a broken broker client might
            raise ConnectionError("broker gone")
        published.append(ids)

    handing = HandOver(publish, seconds=lambda: 0.01)
    handing.add(1)
    _until(lambda: len(published) == 1 and handing.pending() == 0)
    handing.add(2)
    _until(lambda: len(published) == 2)
    assert published[1] == [2]


def test_handing_over_never_fails_the_committed_request(caplog):
    def publish(ids: list[int]) -> None:
        raise RuntimeError("can't start new thread")

    HandOver(publish, seconds=lambda: 0, failure="Could not hand over %s.").add(9)  # no exception reaches the caller
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [("WARNING", "Could not hand over [9].")]


def test_a_celery_pool_process_publishes_what_it_gathered_when_it_is_shut_down():
    from celery.signals import worker_process_shutdown

    published: list[list[int]] = []
    handing = HandOver(published.append, seconds=lambda: 60)
    handing.add(6)
    worker_process_shutdown.send(sender=None, pid=1, exitcode=0)  # billiard's os._exit skips atexit
    assert published == [[6]] and handing.pending() == 0


def test_what_is_gathered_is_published_by_flush_at_exit():
    published: list[list[int]] = []
    handing = HandOver(published.append, seconds=lambda: 60)  # the thread would wait a minute
    handing.add(4)
    handing.add(5)
    handing.flush()  # what atexit and a Celery pool process's shutdown call
    assert published == [[4, 5]] and handing.pending() == 0
