"""Outbox delivery by a real Celery worker to an aiosmtpd sink on loopback.

First the ceiling: the same messages sent by a plain smtplib loop over one connection. Then two
runs of the worker: a clean one (messages/s), and one where the worker is killed with SIGKILL once half the
messages have arrived, restarted, and ``outbox.tasks.sweep`` re-queues what the dead worker held
(its tasks, and the rows it was sending, which go out again with the same Message-ID). Every
message carries an ``X-Bench-Id`` header; the sink counts arrivals per id, so lost and
duplicated messages are both visible, and duplicates under a second Message-ID separately.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_ID_RE = re.compile(rb"^X-Bench-Id: (\S+)", re.MULTILINE)
MESSAGE_ID_RE = re.compile(rb"^Message-ID: (\S+)", re.MULTILINE | re.IGNORECASE)


class Sink:
    """An SMTP server on 127.0.0.1 that only counts what it receives, per ``X-Bench-Id``."""

    def __init__(self, port: int) -> None:
        from aiosmtpd.controller import Controller

        self.port = port
        self.counts: Counter[str] = Counter()
        self.message_ids: dict[str, set[bytes]] = {}
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        match = BENCH_ID_RE.search(envelope.content)
        message_id = MESSAGE_ID_RE.search(envelope.content)
        key = match.group(1).decode() if match else "?"
        with self.lock:
            self.counts[key] += 1
            self.message_ids.setdefault(key, set()).add(message_id.group(1) if message_id else b"")
        return "250 Message accepted for delivery"

    def unique(self, prefix: str) -> int:
        with self.lock:
            return sum(1 for k in self.counts if k.startswith(prefix))

    def duplicates(self, prefix: str) -> int:
        with self.lock:
            return sum(v - 1 for k, v in self.counts.items() if k.startswith(prefix))

    def new_message_id_duplicates(self, prefix: str) -> int:
        """Second copies that came with another Message-ID (a reader sees them as two messages)."""
        with self.lock:
            return sum(len(ids) - 1 for k, ids in self.message_ids.items() if k.startswith(prefix))

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


class Worker:
    """``celery -A portal worker`` in its own process group, so SIGKILL takes its children too."""

    def __init__(self, env: dict[str, str], queue: str, log: Path, concurrency: int) -> None:
        self.env, self.queue, self.log, self.concurrency = env, queue, log, concurrency
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", self.queue,
                 "--concurrency", str(self.concurrency), "--without-heartbeat", "--without-gossip",
                 "--without-mingle", "--loglevel", "INFO", "-n", f"bench-{os.getpid()}@%h"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery worker exited; see {self.log}")
            with self.log.open("rb") as f:
                f.seek(offset)
                if b"ready." in f.read():
                    return
            time.sleep(0.2)
        raise RuntimeError(f"Celery worker not ready after {timeout} s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL the worker's process group (the worker and its pool children)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def _messages(count: int, prefix: str) -> list[Any]:
    from django.utils import timezone

    from outbox.models import OutgoingEmail

    body = ("Dear subscriber,\n\nThis is a benchmark message of the Citizen Science Network. " * 12).strip()
    html = f"<p>{body}</p>"
    now = timezone.now()
    return [OutgoingEmail(to=f"reader{i}@example.org", subject=f"Benchmark message {prefix}{i}", body_text=body,
                          body_html=html, headers={"X-Bench-Id": f"{prefix}{i}"}, purpose="bench",
                          language="en", next_attempt_at=now)
            for i in range(count)]


def _queue_messages(count: int, prefix: str) -> list[int]:
    from outbox.models import OutgoingEmail

    rows = OutgoingEmail.objects.bulk_create(_messages(count, prefix), batch_size=1000)
    return [r.pk for r in rows]


def raw_ceiling(sink: Sink, count: int, timeout: float = 120.0) -> dict[str, Any]:
    """The same messages (as the worker builds them, each with its Message-ID) sent by a plain
    smtplib loop over one connection to the same sink: what SMTP and the sink cost on their own,
    the ceiling the worker's rate is read against."""
    import smtplib

    from outbox.delivery import build_message, new_message_id

    prepared = []
    for email in _messages(count, "r"):
        email.message_id = new_message_id()
        message = build_message(email)
        prepared.append((message.from_email, message.recipients(), message.message().as_bytes(linesep="\r\n")))
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as smtp:
        for sender, recipients, data in prepared:
            smtp.sendmail(sender, recipients, data)
    done = _wait(sink, "r", count, timeout)
    elapsed = time.perf_counter() - started
    return {"delivered": sink.unique("r"), "seconds": round(elapsed, 2),
            "messages_per_s": round(sink.unique("r") / elapsed, 1), "completed": done}


# The same loop in a process of its own (no interpreter shared with the sink): how fast SMTP and
# the sink go when the sending side does not share a GIL with the receiving side. Reported beside
# the ceiling, which keeps the original measurement (both run in the benchmark's process).
_OWN_PROCESS_LOOP = """
import pickle, smtplib, sys, time
prepared = pickle.load(open(sys.argv[1], "rb"))
print("ready", flush=True)
sys.stdin.readline()
with smtplib.SMTP("127.0.0.1", int(sys.argv[2]), timeout=30) as smtp:
    for sender, recipients, data in prepared:
        smtp.sendmail(sender, recipients, data)
"""


def raw_own_process(sink: Sink, count: int, timeout: float = 120.0) -> dict[str, Any]:
    """``raw_ceiling``'s loop run by another Python process."""
    import pickle
    import tempfile

    from outbox.delivery import build_message, new_message_id

    prepared = []
    for email in _messages(count, "q"):
        email.message_id = new_message_id()
        message = build_message(email)
        prepared.append((message.from_email, message.recipients(), message.message().as_bytes(linesep="\r\n")))
    with tempfile.NamedTemporaryFile(suffix=".pickle") as file:
        pickle.dump(prepared, file)
        file.flush()
        child = subprocess.Popen([sys.executable, "-c", _OWN_PROCESS_LOOP, file.name, str(sink.port)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        child.stdout.readline()  # loaded: time the sending only
        started = time.perf_counter()
        child.stdin.write("go\n")
        child.stdin.flush()
        done = _wait(sink, "q", count, timeout)
        elapsed = time.perf_counter() - started
        child.wait(timeout)
    return {"delivered": sink.unique("q"), "seconds": round(elapsed, 2),
            "messages_per_s": round(sink.unique("q") / elapsed, 1), "completed": done}


def _enqueue(ids: list[int]) -> None:
    """As a mail-out's batch hands its messages over after its commit (``enqueue_many``)."""
    from outbox.tasks import enqueue_many

    for start in range(0, len(ids), 200):  # the batches of an announcement or a message to registrants
        enqueue_many(ids[start : start + 200])


def _wait(sink: Sink, prefix: str, count: int, timeout: float, at_least: int | None = None) -> bool:
    target = at_least if at_least is not None else count
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sink.unique(prefix) >= target:
            return True
        time.sleep(0.05)
    return False


def _db_status(ids: list[int]) -> dict[str, int]:
    from django.db.models import Count

    from outbox.models import OutgoingEmail

    return dict(OutgoingEmail.objects.filter(pk__in=ids).values_list("status").annotate(n=Count("id")))


def run(*, env: dict[str, str], queue: str, sink: Sink, log: Path, count: int, concurrency: int,
        timeout: float = 120.0) -> dict[str, Any]:
    """Both runs with one worker; returns their results."""
    from django.utils import timezone

    from outbox import tasks

    results: dict[str, Any] = {"messages": count, "worker_concurrency": concurrency}
    # 0. The ceiling: a raw smtplib loop, before any worker runs.
    results["raw"] = raw_ceiling(sink, count, timeout)
    results["raw_own_process"] = raw_own_process(sink, count, timeout)
    worker = Worker(env, queue, log, concurrency)
    try:
        # 1. Clean run: the worker is up before the first message is queued.
        worker.start()
        ids = _queue_messages(count, "a")
        started = time.perf_counter()
        _enqueue(ids)
        done = _wait(sink, "a", count, timeout)
        elapsed = time.perf_counter() - started
        results["clean"] = {
            "delivered": sink.unique("a"), "duplicates": sink.duplicates("a"), "lost": count - sink.unique("a"),
            "seconds": round(elapsed, 2), "messages_per_s": round(sink.unique("a") / elapsed, 1),
            "completed": done, "db": _db_status(ids),
        }

        # 2. Killed once mid-way: SIGKILL at half, restart, sweep, wait for every message.
        ids = _queue_messages(count, "b")
        started = time.perf_counter()
        _enqueue(ids)
        _wait(sink, "b", count, timeout, at_least=count // 2)
        killed_at = timezone.now()
        worker.kill()
        at_kill = sink.unique("b")
        worker.start()
        # Beat's sweep waits SENDING_TIMEOUT before it re-queues a row left sending; the
        # benchmark knows when the worker died, so rows claimed before that are the dead one's.
        swept = tasks.sweep(older_than=timedelta(0), stalled_after=timezone.now() - killed_at, limit=10 * count)
        done = _wait(sink, "b", count, timeout)
        elapsed = time.perf_counter() - started
        time.sleep(1.0)  # late duplicates, if any, arrive now
        results["killed"] = {
            "delivered_at_kill": at_kill, "swept": swept, "delivered": sink.unique("b"),
            "duplicates": sink.duplicates("b"), "new_message_id_duplicates": sink.new_message_id_duplicates("b"),
            "lost": count - sink.unique("b"), "seconds": round(elapsed, 2),
            "messages_per_s": round(sink.unique("b") / elapsed, 1), "completed": done, "db": _db_status(ids),
        }
    finally:
        worker.stop()
    return results
