"""Work a request starts after its commit, done a moment later from a thread of the process, for
the items of the next few requests together.

A registration commits and then has small things to tell others: Celery, the id of its
confirmation's outbox row (``outbox.handover``) and, with Zoom, its registrant's sync
(``webinars.signals``); Redis, that the seats shown on its event's page have changed
(``core.cache``: the seat counts may lag a second anyway). Each is one round trip and about
half a millisecond of CPU (Celery builds a whole task message); in the minute
after an announcement a web process commits a registration every few milliseconds. So the
request puts its item in a ``HandOver`` and goes on, and a daemon thread passes what has
gathered within ``HANDOVER_MS`` to ``publish`` at once (the outbox's ids in one task, the seat
raises in one pipeline; the Zoom syncs stay a task each, retried each on its own), after the
response has gone out.

Written by hand because neither Celery nor redis-py has a batching publisher. Whoever uses it
must tolerate an item that never arrives — the process was killed first (what is gathered is
published when the process exits normally, and when a Celery pool process is shut down), or the
other side was down — as it does when a direct call fails: the outbox's sweep finds its rows,
the Zoom sweep its registrants, a page keeps a stale seat count no longer than the cache's
timeout. ``seconds() <= 0`` publishes
in the caller's thread at once (``HANDOVER_MS = 0``; the hand-overs to Celery also while it runs
tasks eagerly, ``delay_to_celery``).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from celery import current_app
from celery.signals import worker_process_shutdown
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def delay() -> float:
    """``HANDOVER_MS``, in seconds: how long a hand-over gathers before it publishes."""
    return settings.HANDOVER_MS / 1000


def delay_to_celery() -> float:
    """``delay`` for a hand-over to Celery: none while Celery runs tasks eagerly (no broker), so
    that the task runs in the caller's thread as every other task does then."""
    return 0.0 if current_app.conf.task_always_eager else delay()


class HandOver:
    """Items gathered for ``publish`` and passed to it by a daemon thread, ``seconds()`` after
    the first of a batch. ``publish`` should not raise; if it does, ``failure`` (a message with
    one ``%s`` for the items) is logged as a warning and the thread goes on with the next batch.
    Every instance publishes what it holds when the process exits (``atexit``, and a Celery
    pool process's shutdown, which skips ``atexit``)."""

    def __init__(
        self, publish: Callable[[list[Any]], object], *, seconds: Callable[[], float], name: str = "handover",
        failure: str = "Could not hand over %s.",
    ) -> None:
        self._publish = publish
        self._seconds = seconds
        self._name = name
        self._failure = failure
        self._start_afresh()
        os.register_at_fork(after_in_child=self._start_afresh)  # a gunicorn or Celery child
        atexit.register(self._flush_at_shutdown)
        worker_process_shutdown.connect(self._flush_at_shutdown, weak=False, dispatch_uid=f"handover-{id(self)}")

    def _start_afresh(self) -> None:
        """No items, no thread, a new lock: what a forked child inherits of these is its parent's."""
        self._items: list[Any] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._cut = threading.Event()  # set by discard(): the waiting batch is gone
        self._discarded = 0
        self._thread: threading.Thread | None = None

    def add(self, item: Any) -> None:
        """Publish ``item`` soon (at once without a delay)."""
        self.add_many([item])

    def add_after_commit(self, *items: Any, using: str | None = None) -> None:
        """``add_many(items)`` once the current transaction commits (at once outside one); nothing
        if it rolls back."""
        transaction.on_commit(lambda: self.add_many(items), using=using)

    def add_many(self, items: Iterable[Any]) -> None:
        """Publish ``items`` soon (at once without a delay). Never raises: it runs after a commit."""
        items = list(items)
        try:
            if self._seconds() <= 0:
                self._publish(items)
                return
            with self._lock:
                self._items.extend(items)
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                    self._thread.start()
            self._wake.set()
        except Exception:
            logger.warning(self._failure, items, exc_info=True)

    def flush(self) -> None:
        """Publish everything gathered so far, now."""
        with self._lock:
            items, self._items = self._items, []
        if items:
            self._publish(items)

    def pending(self) -> int:
        with self._lock:
            return len(self._items)

    def discard(self) -> int:
        """Drop what is gathered, unpublished (tests: nothing one leaves reaches the next); how many."""
        with self._lock:
            items, self._items = self._items, []
            self._discarded += 1
        self._cut.set()  # the thread's wait ends, and it does not publish the next items early
        return len(items)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            self._cut.clear()
            discarded = self._discarded
            self._cut.wait(self._seconds())  # let the items of the next few requests gather
            if discarded != self._discarded:
                continue  # the batch was discarded: items added since start a wait of their own
            try:
                self.flush()
            except Exception:  # the thread goes on with the next batch
                logger.warning(self._failure, "a batch", exc_info=True)

    def _flush_at_shutdown(self, **kwargs: Any) -> None:
        try:
            self.flush()
        except Exception:
            logger.warning(self._failure, "what was gathered", exc_info=True)
