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
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

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


@pytest.fixture
def smtp_sink() -> Iterator[Sink]:
    sink = Sink()
    sink.controller.start()
    yield sink
    sink.controller.stop()


@pytest.fixture
def celery_worker(services_required, smtp_sink) -> Iterator[str]:
    """Start ``celery -A portal worker`` on the test database, sending to the sink; point this
    process's Celery app at the same broker and queue."""
    from portal.celery import app

    queue = f"it-{uuid.uuid4().hex[:10]}"
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.port}",
        "DB_CONN_MAX_AGE": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    old = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
    point_celery_at(redis_url(), task_always_eager=False, task_default_queue=queue)
    try:
        _wait_until_ready(worker)
        yield queue
    finally:
        point_celery_at(**old)
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
