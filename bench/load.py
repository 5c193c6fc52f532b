"""A bounded HTTP load generator over loopback: N threads, one keep-alive ``http.client``
connection each, hammering one URL until a deadline or a request cap, whichever comes first.

Only loopback hosts are accepted. Every level stops by itself: the deadline is checked before each
request and every socket has a timeout, so a hung server costs at most ``timeout`` more.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .report import summarise

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Budget:
    """Stops a loop after ``seconds`` or ``max_requests`` (shared by all threads of a level)."""

    seconds: float
    max_requests: int
    clock: Callable[[], float] = time.monotonic
    _issued: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.seconds <= 0 or self.max_requests <= 0:
            raise ValueError("a budget needs a positive time and request count")
        self.deadline = self.clock() + self.seconds

    def take(self) -> bool:
        """Claim one request; False once the time or the count is used up."""
        with self._lock:
            if self._issued >= self.max_requests or self.clock() >= self.deadline:
                return False
            self._issued += 1
            return True

    @property
    def issued(self) -> int:
        return self._issued


def check_loopback(host: str) -> None:
    if host not in LOOPBACK:
        raise ValueError(f"the load generator only talks to loopback, not {host!r}")


def run_level(
    host: str,
    port: int,
    path: str,
    *,
    connections: int,
    seconds: float,
    max_requests: int = 200_000,
    timeout: float = 10.0,
) -> dict[str, Any]:
    """Drive ``path`` with ``connections`` concurrent keep-alive clients for ``seconds``."""
    check_loopback(host)
    budget = Budget(seconds=seconds, max_requests=max_requests)
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    statuses: dict[int, int] = {}
    status_lock = threading.Lock()

    def client(index: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        mine = latencies[index]
        try:
            while budget.take():
                started = time.perf_counter()
                try:
                    conn.request("GET", path, headers={"Accept-Encoding": "identity"})
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    errors[index] += 1
                    conn.close()
                    continue
                elapsed = time.perf_counter() - started
                if status == 200:
                    mine.append(elapsed)
                else:
                    errors[index] += 1
                    with status_lock:
                        statuses[status] = statuses.get(status, 0) + 1
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + timeout + 5)
    elapsed = time.perf_counter() - started
    flat = [x for per in latencies for x in per]
    result = summarise(flat, errors=sum(errors), elapsed_s=elapsed)
    result.update(connections=connections, seconds=round(elapsed, 2))
    if statuses:
        result["error_statuses"] = {str(k): v for k, v in sorted(statuses.items())}
    return result


def get(host: str, port: int, path: str, *, timeout: float = 10.0) -> tuple[int, bytes]:
    """One GET (used to check a URL answers 200 before it is measured)."""
    check_loopback(host)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def burst(host: str, port: int, path: str, *, count: int, timeout: float = 60.0) -> dict[str, Any]:
    """``count`` clients connect, wait at a barrier, then GET ``path`` at the same instant: the
    ceiling for any burst of that size on this server (the registration burst is read against it)."""
    check_loopback(host)
    barrier = threading.Barrier(count + 1)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            barrier.wait(timeout)
            started = time.perf_counter()  # connecting counts, as for the registration burst
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                if response.status == 200:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError):
            with lock:
                errors[0] += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(count)]
    for t in threads:
        t.start()
    barrier.wait(timeout)
    started = time.perf_counter()
    for t in threads:
        t.join(timeout + 5)
    result = summarise(latencies, errors=errors[0], elapsed_s=time.perf_counter() - started)
    result["connections"] = count
    return result
