"""The load generator stops by itself: by time, by request count, and only talks to loopback."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.load import Budget, check_loopback, run_level


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_budget_stops_at_the_request_cap():
    budget = Budget(seconds=100, max_requests=3, clock=FakeClock())
    assert [budget.take() for _ in range(5)] == [True, True, True, False, False]
    assert budget.issued == 3


def test_budget_stops_at_the_deadline():
    clock = FakeClock()
    budget = Budget(seconds=2, max_requests=1000, clock=clock)
    assert budget.take()
    clock.now = 2.0
    assert not budget.take()


def test_budget_needs_positive_bounds():
    with pytest.raises(ValueError):
        Budget(seconds=0, max_requests=1)
    with pytest.raises(ValueError):
        Budget(seconds=1, max_requests=0)


@pytest.mark.parametrize("host", ["example.org", "10.0.0.1", "0.0.0.0"])
def test_only_loopback_is_allowed(host):
    with pytest.raises(ValueError):
        check_loopback(host)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802
        body = b"ok" if self.path == "/ok" else b"no"
        self.send_response(200 if self.path == "/ok" else 500)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_a_level_stops_at_its_request_cap_and_counts_errors(server):
    ok = run_level("127.0.0.1", server, "/ok", connections=4, seconds=30, max_requests=40)
    assert ok["requests"] == 40
    assert ok["errors"] == 0
    bad = run_level("127.0.0.1", server, "/bad", connections=2, seconds=30, max_requests=10)
    assert bad["errors"] == 10
    assert bad["error_statuses"] == {"500": 10}


def test_a_level_stops_at_its_deadline(server):
    started = time.monotonic()
    result = run_level("127.0.0.1", server, "/ok", connections=2, seconds=0.3, max_requests=10**9)
    assert time.monotonic() - started < 5
    assert result["requests"] > 0
