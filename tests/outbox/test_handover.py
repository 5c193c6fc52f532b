"""New outbox rows are handed to Celery a moment after their commit, several in one task
(``outbox.handover``), and nothing is lost on the way: an id the process could not publish is
published by the next batch or, at worst, found by the sweep."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import transaction

from outbox import services
from outbox.handover import HandOver, handover
from outbox.models import OutgoingEmail
from tests.mailing.conftest import queued_tasks  # noqa: F401 — the broker fixture

pytestmark = pytest.mark.django_db(transaction=True)


def _until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_messages_committed_close_together_go_to_the_broker_as_one_task(settings, queued_tasks):  # noqa: F811
    settings.OUTBOX_HANDOVER_SECONDS = 1.0
    ids = []
    for n in range(3):  # three requests, one message each
        with transaction.atomic():
            ids.append(services.queue_email(to=f"p{n}@example.org", subject="Hello", body_text="Hi").pk)
    assert handover.pending() == 3 and queued_tasks.take() == [], "the request does not wait for the broker"
    taken: list = []
    _until(lambda: taken.extend(queued_tasks.take()) or taken)
    time.sleep(0.1)
    taken.extend(queued_tasks.take())
    assert taken == [("outbox.tasks.deliver_emails", (ids,))]
    assert OutgoingEmail.objects.filter(pk__in=ids, status=OutgoingEmail.Status.QUEUED).count() == 3


def test_a_rolled_back_message_is_never_handed_over(settings, queued_tasks):  # noqa: F811
    settings.OUTBOX_HANDOVER_SECONDS = 0.05
    with pytest.raises(RuntimeError), transaction.atomic():
        services.queue_email(to="p@example.org", subject="Hello", body_text="Hi")
        raise RuntimeError("the change failed")
    time.sleep(0.2)
    assert queued_tasks.take() == [] and not OutgoingEmail.objects.exists()


def test_without_a_delay_an_id_is_published_at_once_in_the_callers_thread():
    published: list[tuple[list[int], str]] = []
    gate = HandOver(lambda ids: published.append((ids, threading.current_thread().name)), seconds=lambda: 0)
    gate.add(7)
    assert published == [([7], threading.current_thread().name)] and gate.pending() == 0


def test_a_failed_publish_leaves_the_thread_running_for_the_next_ids():
    published: list[list[int]] = []

    def publish(ids: list[int]) -> None:
        if not published:
            published.append([])  # the first call fails, as a broken broker client might
            raise ConnectionError("broker gone")
        published.append(ids)

    gate = HandOver(publish, seconds=lambda: 0.01)
    gate.add(1)
    _until(lambda: len(published) == 1 and gate.pending() == 0)
    gate.add(2)
    gate.add(3)
    _until(lambda: len(published) == 2)
    assert published[1] == [2, 3]


def test_what_is_gathered_is_published_by_flush_at_exit():
    published: list[list[int]] = []
    gate = HandOver(published.append, seconds=lambda: 60)  # the thread would wait a minute
    gate.add(4)
    gate.add(5)
    gate.flush()  # what atexit calls when the process ends
    assert published == [[4, 5]] and gate.pending() == 0
