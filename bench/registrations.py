"""Registration attempts over HTTP on a session with 100 seats: 500 at once, and 500 from 32 clients.

Each client first GETs the webinar page (its own CSRF cookie and token, untimed); then, in the
burst, all 500 wait at a barrier and POST at once, each with its own address; in the paced run,
32 clients post one after another. Only the POST is timed. The post goes to the page itself
(a registration) or to ``post_path`` (the least post, ``bench/urls.py``), with the same fields.
A 302 to the "registered" page is a success; anything else (or an exception) is an error.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from typing import Any
from urllib.parse import urlencode

from .load import check_loopback
from .report import percentile

TOKEN_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def _csrf(host: str, port: int, path: str, timeout: float) -> tuple[str, str]:
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        cookies = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
    finally:
        conn.close()
    match = TOKEN_RE.search(body)
    cookie = next((c.split(";", 1)[0] for c in cookies if c.startswith("csrftoken=")), "")
    if response.status != 200 or not match or not cookie:
        raise RuntimeError(f"GET {path} gave {response.status} without a CSRF token")
    return cookie, match.group(1).decode()


def _wait(barrier: threading.Barrier | None, timeout: float) -> None:
    if barrier is not None:
        try:
            barrier.wait(timeout)
        except threading.BrokenBarrierError:
            pass  # a client failed before the barrier; the rest still post, and are counted


def run(
    host: str, port: int, *, slug: str, session_id: int, attempts: int = 500, concurrency: int | None = None,
    timeout: float = 60.0, prefix: str = "burst", post_path: str | None = None,
) -> dict[str, Any]:
    """``attempts`` registrations with their own addresses. Without ``concurrency`` all of them
    POST at the same instant (a barrier); with it, that many clients post one after another."""
    check_loopback(host)
    path = f"/events/{slug}/"
    post_path = post_path or path
    burst = concurrency is None
    clients = attempts if burst else min(concurrency, attempts)
    barrier = threading.Barrier(clients + 1) if burst else None
    latencies: list[float | None] = [None] * attempts
    problems: list[str] = []
    lock = threading.Lock()
    pending = iter(range(attempts))

    def attempt(i: int) -> None:
        try:
            cookie, token = _csrf(host, port, path, timeout)
        except Exception as exc:  # counted; never raised into the barrier
            with lock:
                problems.append(f"csrf: {exc}")
            _wait(barrier, timeout)
            return
        body = urlencode({
            "csrfmiddlewaretoken": token, "session": str(session_id), "name": f"Bench Person {i}",
            "email": f"{prefix}.person{i}@example.org", "affiliation": "Benchmark", "role": "",
            "consent": "on", "website_url": "",
        })
        # Connect only after the barrier: a sync gunicorn worker that accepted an idle connection
        # would block on it while the other clients still wait for their CSRF pages.
        _wait(barrier, timeout)
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            started = time.perf_counter()
            conn.request("POST", post_path, body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
            })
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            if response.status == 302 and "/registered/" in (response.getheader("Location") or ""):
                latencies[i] = elapsed
            else:
                with lock:
                    problems.append(f"status {response.status}")
        except Exception as exc:
            with lock:
                problems.append(f"{type(exc).__name__}: {exc}")
        finally:
            conn.close()

    def client() -> None:
        while True:
            with lock:
                i = next(pending, None)
            if i is None:
                return
            attempt(i)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    if barrier:
        _wait(barrier, timeout * 2)  # every client holds its CSRF cookie and token
        started = time.perf_counter()
    for t in threads:
        t.join(timeout * (1 if burst else attempts / clients + 1) + 5)
    elapsed = time.perf_counter() - started
    ok = [x for x in latencies if x is not None]
    return {
        "attempts": attempts,
        "concurrency": clients,
        "succeeded": len(ok),
        "errors": attempts - len(ok),
        "error_samples": sorted(set(problems))[:5],
        "seconds": round(elapsed, 2),
        "registrations_per_s": round(len(ok) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(ok, 50) * 1000, 1) if ok else None,
        "p95_ms": round(percentile(ok, 95) * 1000, 1) if ok else None,
        "max_ms": round(max(ok) * 1000, 1) if ok else None,
    }


def outcome(session_id: int) -> dict[str, int]:
    """What the database says afterwards (run in the bench process, against the bench DB)."""
    from events.models import Registration

    rows = Registration.objects.filter(session_id=session_id)
    return {
        "rows": rows.count(),
        "confirmed": rows.filter(status="confirmed").count(),
        "waitlisted": rows.filter(status="waitlisted").count(),
        "cancelled": rows.filter(status="cancelled").count(),
    }
