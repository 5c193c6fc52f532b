"""Handing single new outbox rows to Celery a few at a time, from a thread of the process.

A registration (and every other message written on its own) commits its outbox row and then
has to give Celery the row's id. One publish costs about half a millisecond of CPU (Celery
builds and serialises a whole task message), as much as the registration's own inserts; in the
minute after an announcement a web process commits a registration every few milliseconds. So
the id is put in this process's ``HandOver`` and the request goes on; a thread publishes what
has gathered within ``OUTBOX_HANDOVER_MS`` as one task (``tasks.enqueue_many``: one
``deliver_email``, or ``deliver_emails`` for several), after the response has gone out.

Written by hand because Celery has no batching publisher. Nothing is lost by it: the row is
committed before its id is handed over, and an id that never reaches the broker — the process
was killed first (it publishes what it holds when it exits normally, a Celery pool process when
it is shut down), or Redis was down — is found by the outbox sweep, exactly as when a publish
fails. Without a broker (eager tasks: tests,
development) and with ``OUTBOX_HANDOVER_MS = 0`` the ids are published at once, in the
caller's thread.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable

from celery import current_app
from celery.signals import worker_process_shutdown
from django.conf import settings

from .tasks import enqueue_many

logger = logging.getLogger(__name__)


class HandOver:
    """Ids gathered for ``publish`` (which must never raise: ``core.breaker.publish`` and what
    is built on it) and published by a daemon thread, ``seconds`` after the first of a batch."""

    def __init__(self, publish: Callable[[list[int]], object], *, seconds: Callable[[], float]) -> None:
        self._publish = publish
        self._seconds = seconds
        self._start_afresh()
        os.register_at_fork(after_in_child=self._start_afresh)  # a gunicorn or Celery child

    def _start_afresh(self) -> None:
        """No ids, no thread, a new lock: what a forked child inherits of these is its parent's."""
        self._ids: list[int] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, email_id: int) -> None:
        """Publish ``email_id`` soon (at once without a delay). Never raises: it runs after the
        commit of the row, which the sweep hands over if this fails."""
        try:
            if self._seconds() <= 0:
                self._publish([email_id])
                return
            with self._lock:
                self._ids.append(email_id)
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="outbox-handover", daemon=True)
                    self._thread.start()
            self._wake.set()
        except Exception:
            logger.warning("Could not hand outbox row %s to Celery; the sweep will.", email_id, exc_info=True)

    def flush(self) -> None:
        """Publish every id gathered so far, now."""
        with self._lock:
            ids, self._ids = self._ids, []
        if ids:
            self._publish(ids)

    def pending(self) -> int:
        with self._lock:
            return len(self._ids)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            time.sleep(self._seconds())  # let the ids of the next few requests gather
            try:
                self.flush()
            except Exception:  # the rows wait for the sweep; this thread goes on
                logger.warning("Could not hand outbox rows to Celery; the sweep will.", exc_info=True)


def _seconds() -> float:
    return 0.0 if current_app.conf.task_always_eager else settings.OUTBOX_HANDOVER_MS / 1000


handover = HandOver(enqueue_many, seconds=_seconds)
# What is gathered when the process ends: at a normal exit (a web worker), and when a Celery
# pool process is shut down (billiard ends it with os._exit, which skips atexit).
atexit.register(handover.flush)
worker_process_shutdown.connect(lambda **kwargs: handover.flush(), weak=False, dispatch_uid="outbox.handover")
