"""How long a registration holds its session's row lock: ``services.register`` run in this
process from several threads on a fresh session, timed from the moment the lock is granted (the
locking query returns: on PostgreSQL it has counted the seats too) to the commit that releases
it (an ``on_commit`` callback registered right after the lock, so it runs first after the
COMMIT). The web benchmark cannot see this from outside."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

from .report import percentile


def measure(*, event_slug: str, attempts: int = 300, threads: int = 8, capacity: int = 100) -> dict[str, Any]:
    from django.db import connections, transaction
    from django.utils import timezone

    from events import services
    from events.models import Event, Session

    event = Event.objects.get(slug=event_slug)
    start = timezone.now() + timedelta(days=40)
    session = Session.objects.create(event=event, start=start, end=start + timedelta(hours=1), capacity=capacity,
                                     has_waiting_list=True)
    held: list[float] = []
    lock = threading.Lock()
    original = services._lock_session

    def timed_lock(session_id: int, **kwargs: Any) -> Session:
        locked = original(session_id, **kwargs)
        granted = time.perf_counter()

        def released() -> None:
            with lock:
                held.append(time.perf_counter() - granted)

        transaction.on_commit(released)
        return locked

    pending = iter(range(attempts))
    pending_lock = threading.Lock()

    def worker() -> None:
        try:
            while True:
                with pending_lock:
                    i = next(pending, None)
                if i is None:
                    return
                services.register(session=Session(pk=session.pk), name=f"Lock Person {i}",
                                  email=f"lock.person{i}@example.org", consent_text="I agree.", language="en")
        finally:
            connections.close_all()

    services._lock_session = timed_lock
    try:
        pool = [threading.Thread(target=worker) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join(120)
    finally:
        services._lock_session = original
    return {
        "registrations": len(held),
        "threads": threads,
        "p50_ms": round(percentile(held, 50) * 1000, 2) if held else None,
        "p95_ms": round(percentile(held, 95) * 1000, 2) if held else None,
        "max_ms": round(max(held) * 1000, 2) if held else None,
    }
