"""Integration tests: a real Celery worker against Redis, PostgreSQL, and an aiosmtpd sink.

They run when the suite runs on PostgreSQL with ``REDIS_URL`` set (CI's second run); .ci/run fails
if they were skipped there. Each run uses its own queue name, so stale messages in Redis from an
earlier run can never be consumed here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from django.db import connection

from bench.email import Worker
from tests.broker import point_celery_at

ROOT = Path(__file__).resolve().parents[2]


def redis_url() -> str:
    return os.environ.get("PORTAL_TEST_REDIS_URL", "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def services_required(transactional_db):
    if not redis_url() or connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL (PostgreSQL) and REDIS_URL")


class Sink:
    """An aiosmtpd SMTP server on loopback that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        from email import message_from_bytes

        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 40.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.1)
        return self.messages


class ArrivalsSink:
    """An aiosmtpd server on loopback that records Message-IDs in ``arrivals`` under a key its
    subclass's ``handle_DATA`` chooses (a test id, a recipient), behind a lock: the server runs in
    a thread of its own."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.arrivals: dict[str, list[str]] = defaultdict(list)
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def unique(self) -> int:
        """How many keys have had at least one message."""
        with self.lock:
            return len(self.arrivals)


SinkT = TypeVar("SinkT", Sink, ArrivalsSink)


@contextmanager
def running(sink: SinkT) -> Iterator[SinkT]:
    """The sink's SMTP server listens until the block ends."""
    sink.controller.start()
    try:
        yield sink
    finally:
        sink.controller.stop()


@pytest.fixture
def smtp_sink() -> Iterator[Sink]:
    with running(Sink()) as sink:
        yield sink


def worker_env(queue: str, smtp_port: int) -> dict[str, str]:
    """The environment of a ``celery -A portal worker`` on the test database and ``queue``,
    sending to the SMTP server on ``smtp_port``."""
    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "DB_CONN_MAX_AGE": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }


@contextmanager
def celery_pointed_at(queue: str) -> Iterator[None]:
    """This process's Celery app publishes to Redis and ``queue`` (not eagerly) until the block
    ends, then goes back to what it was."""
    from portal.celery import app

    old = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
    point_celery_at(redis_url(), task_always_eager=False, task_default_queue=queue)
    try:
        yield
    finally:
        point_celery_at(**old)


@contextmanager
def killable_worker_for(sink: ArrivalsSink, *, queue_prefix: str, log: Path, concurrency: int) -> Iterator[Worker]:
    """A prefork ``celery -A portal worker`` (not started yet: the test starts and kills it) in a
    process group of its own, so that SIGKILL takes its children too, on a fresh queue named
    ``<queue_prefix><random>``, sending to ``sink``; stopped when the block ends."""
    queue = f"{queue_prefix}{uuid.uuid4().hex[:10]}"
    env = worker_env(queue, sink.port)
    with celery_pointed_at(queue):
        worker = Worker(env, queue, log, concurrency)
        try:
            yield worker
        finally:
            worker.stop()


def wait_until(
    condition: Callable[[], object], timeout: float, *, every: float, then: Callable[[], None] | None = None
) -> bool:
    """Poll ``condition`` every ``every`` seconds (calling ``then`` between polls) until it holds
    or ``timeout`` passes; its last value, as a bool."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if then:
            then()
        time.sleep(every)
    return bool(condition())


@pytest.fixture
def celery_worker(services_required, smtp_sink) -> Iterator[str]:
    """Start ``celery -A portal worker`` on the test database, sending to the sink; point this
    process's Celery app at the same broker and queue."""
    queue = f"it-{uuid.uuid4().hex[:10]}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
        cwd=ROOT, env=worker_env(queue, smtp_sink.port), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        with celery_pointed_at(queue):
            _wait_until_ready(worker)
            yield queue
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()


def _wait_until_ready(worker: subprocess.Popen, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        line = worker.stdout.readline()
        if not line:
            if worker.poll() is not None:
                break
            continue
        lines.append(line)
        if "ready." in line:
            return
    raise RuntimeError("Celery worker did not start:\n" + "".join(lines[-40:]))
