"""Handing single new outbox rows to Celery a few at a time (``core.handover``).

A registration (and every other message written on its own) commits its outbox row and then
has to give Celery the row's id. One publish costs about half a millisecond of CPU (Celery
builds and serialises a whole task message), as much as the registration's own inserts. So the
id goes to this process's ``handover``, and its thread publishes what has gathered within
``HANDOVER_MS`` as one task (``tasks.enqueue_many``: one ``deliver_email``, or
``deliver_emails`` for several), after the response has gone out.

Nothing is lost by it: the row is committed before its id is handed over, and an id that never
reaches the broker — the process was killed first, or Redis was down — is found by the outbox
sweep, exactly as when a publish fails. Without a broker (eager tasks: tests, development) and
with ``HANDOVER_MS = 0`` the ids are published at once, in the caller's thread.
"""

from __future__ import annotations

from core.handover import HandOver, delay_to_celery

from .tasks import enqueue_many

handover = HandOver(
    enqueue_many, seconds=delay_to_celery, name="outbox-handover", failure="Could not hand outbox rows %s to Celery; the sweep will."
)
