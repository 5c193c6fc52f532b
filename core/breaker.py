"""Circuit breakers: after a service fails, skip it for a short interval, then let one call try it
again. One breaker per name and process (``breaker("Redis cache host:6379/0")``), shared by every
thread of the process; nothing crosses processes, each finds out for itself at the cost of one
timeout.

Used for Redis, which the site only uses to go faster: the page cache (``core.cache``), the
health check (``core.health``) and the Celery broker (``publish``, below, through which every task
is queued); for Zoom (``webinars.zoom``); and for the database where a page can go on without
it (the seats of a cached event page, ``events.seats``). A hung Redis (it accepts connections
and never answers) would otherwise cost a socket timeout on every call, and a page makes several.

Written by hand because nothing we already depend on has one: django-redis's
``IGNORE_EXCEPTIONS`` still tries Redis on every call (its "error threshold" was proposed and not
merged, jazzband/django-redis#281 and #314), redis-py's retries only add time, and its
``multidb`` circuit breakers are for failing over between several databases, not for going on
without the only one. The state machine is the few lines below; a library (pybreaker) would be
a dependency for them alone, and what answers while Redis is skipped (``core.cache``'s
stand-in, the outbox sweep) is ours either way.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from celery import Task, current_app
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

T = TypeVar("T")
F = TypeVar("F")

logger = logging.getLogger(__name__)

#: Seconds a breaker stays open after a failure before one call may try the service again.
DEFAULT_INTERVAL = 5.0


class CircuitBreaker:
    """Closed: calls go through. Open (after a failure): calls are skipped until ``interval``
    has passed; then the next caller alone tries (the others keep skipping until it is back):
    success closes the breaker, failure opens it for another interval.

    A success closes it only if no failure was reported since that call began: on a hung
    service a call that started just before another thread's timeout can still end well, and
    must not re-close the breaker that timeout opened (every thread would then wait for the
    hung service again). Each failure raises ``_failures``; a call remembers the count it
    started from."""

    def __init__(self, name: str, interval: float = DEFAULT_INTERVAL) -> None:
        self.name = name
        self.interval = interval
        self._lock = threading.Lock()
        self._open_until: float | None = None  # time.monotonic(); None while closed
        self._trial = False  # one caller is trying the service again
        self._failures = 0  # failures reported so far: a call's success counts only if none came since it began

    def call(
        self,
        func: Callable[[], T],
        *,
        fallback: Callable[[], F],
        failures: tuple[type[BaseException], ...] = (Exception,),
    ) -> T | F:
        """``func()`` while the service is deemed up, else ``fallback()``. An exception in
        ``failures`` opens the breaker and is answered by ``fallback()``; any other one is raised
        (it says nothing about the service)."""
        since = self._admit()
        if since is None:
            return fallback()
        try:
            result = func()
        except failures as exc:
            self.failed(exc)
            return fallback()
        except BaseException:
            self._end_trial(since=since)
            raise
        self.succeeded(since=since)
        return result

    def _admit(self) -> int | None:
        """``None`` if the caller must skip the service now; else the failure count it starts
        from, to hand to ``succeeded()``. Admitted on an open breaker, the caller is the one
        trial: it must report ``succeeded()`` or ``failed()``."""
        with self._lock:
            if self._open_until is not None:
                if self._trial or time.monotonic() < self._open_until:
                    return None
                self._trial = True
            return self._failures

    def would_allow_call(self) -> bool:
        """Whether a call now would go to the service (closed, or due for another try), without
        claiming the trial."""
        open_until = self._open_until
        return open_until is None or (not self._trial and time.monotonic() >= open_until)

    def succeeded(self, *, since: int) -> None:
        """A call admitted at failure count ``since`` worked: close the breaker, unless a failure
        was reported after that call began (that failure's interval stands)."""
        with self._lock:
            if self._failures != since:
                return
            was_open = self._open_until is not None
            self._open_until = None
            self._trial = False
        if was_open:
            logger.warning("%s answers again.", self.name)

    def _end_trial(self, *, since: int) -> None:
        """A call ended without saying anything about the service: if it was the trial, the next
        caller may try (a failure since then has already ended the trial, and another may be on)."""
        with self._lock:
            if self._failures == since:
                self._trial = False

    def failed(self, exc: BaseException | None = None) -> None:
        with self._lock:
            first = self._open_until is None
            self._open_until = time.monotonic() + self.interval
            self._trial = False
            self._failures += 1
        if first:
            logger.warning(
                "%s unavailable (%s); skipping it for %g s at a time until it answers.",
                self.name, f"{type(exc).__name__}: {exc}" if exc else "failed", self.interval,
            )


_breakers: dict[str, CircuitBreaker] = {}
_registry_lock = threading.Lock()


def breaker(name: str, *, interval: float | None = None) -> CircuitBreaker:
    """The process's breaker called ``name``, made on first use; ``interval`` (seconds) sets how
    long it stays open (``DEFAULT_INTERVAL`` unless given, now or before)."""
    with _registry_lock:
        found = _breakers.get(name)
        if found is None:
            found = _breakers[name] = CircuitBreaker(name, DEFAULT_INTERVAL if interval is None else interval)
        elif interval is not None:
            found.interval = interval
        return found


def close_breakers() -> None:
    """Close every breaker of this process (tests: an earlier test's outage is over). In place:
    whoever holds a breaker (a cache backend, say) keeps the one ``breaker(name)`` returns."""
    with _registry_lock:
        found = list(_breakers.values())
    for each in found:
        with each._lock:
            each._open_until = None
            each._trial = False


def broker_breaker() -> CircuitBreaker:
    """The breaker of the Celery broker this process publishes to (Redis too): publishing
    (``publish``) and the health check share it, so neither waits for a hung broker more than
    once per interval."""
    return breaker(f"Celery broker {without_credentials(str(current_app.conf.broker_url))}")


def without_credentials(url: str) -> str:
    """``redis://user:secret@host:6379/0`` as ``host:6379/0`` (breakers' names are logged)."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 6379}{parts.path}" if parts.hostname else url


# What publishing raises when the broker is down or does not answer in time (kombu wraps most
# connection errors in OperationalError; redis-py and socket errors can come through as they are).
BROKER_OUTAGE = (OperationalError, RedisError, OSError)


def publish(task: Task, *args: object, retried_by: str) -> bool:
    """Queue ``task(*args)`` and never raise: the way to hand Celery work from a request (after
    its commit) or from a task. Returns whether the task was handed over (or, without a broker,
    run here).

    A broker outage is logged, not raised: the caller's work is already committed, and
    ``retried_by`` — the periodic job that finds such work and queues it again (the outbox
    sweep, the stalled-announcement check) — names who picks it up, so a task must only be
    published this way when such a job exists. Goes through the broker's circuit breaker: a
    hung Redis costs one publish timeout (about a second, ``CELERY_BROKER_TRANSPORT_OPTIONS``)
    per interval and process, not one per task."""
    call = f"{task.name}{args!r}"  # ids only (tasks take ids), nothing personal

    def send() -> bool:
        task.delay(*args)
        return True

    def left_for_later() -> bool:  # the breaker logs why, once per outage
        logger.warning("Could not queue %s (no broker); %s will retry.", call, retried_by)
        return False

    try:
        if task.app.conf.task_always_eager:  # no broker (REDIS_URL unset): it runs here
            return send()
        return broker_breaker().call(send, fallback=left_for_later, failures=BROKER_OUTAGE)
    except Exception:  # nothing may fail the request or task that committed the work
        logger.warning("Could not queue %s; %s will retry.", call, retried_by, exc_info=True)
        return False
