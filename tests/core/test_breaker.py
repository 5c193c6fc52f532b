"""The circuit breaker (``core.breaker``) with real threads: a call that began before another
thread's failure and ends well afterwards does not close the breaker that failure opened (on a
hung Redis that would send every thread back to it); a success closes it otherwise."""

from __future__ import annotations

import threading
import time

import pytest

from core.breaker import CircuitBreaker


class Outage(Exception):
    pass


def _fail() -> str:
    raise Outage("no answer")


def _skipped() -> str:
    return "skipped"


def test_a_success_that_began_before_another_threads_failure_leaves_the_breaker_open():
    breaker = CircuitBreaker("test service", interval=60)
    started, release = threading.Event(), threading.Event()
    results: list[str] = []

    def slow_but_fine() -> str:
        started.set()
        assert release.wait(5)
        return "answered"

    slow = threading.Thread(target=lambda: results.append(breaker.call(slow_but_fine, fallback=_skipped)))
    slow.start()
    assert started.wait(5)
    # Meanwhile another thread's call times out: the breaker opens.
    assert breaker.call(_fail, fallback=_skipped, failures=(Outage,)) == "skipped"
    release.set()
    slow.join(5)

    assert results == ["answered"]
    assert not breaker.would_allow_call(), "the earlier call's success re-closed the breaker"
    calls: list[str] = []
    assert breaker.call(lambda: calls.append("tried") or "answered", fallback=_skipped) == "skipped"
    assert calls == [], "skipped until the interval has passed"


def test_a_success_that_began_after_the_failure_closes_it():
    breaker = CircuitBreaker("test service", interval=0.05)
    breaker.call(_fail, fallback=_skipped, failures=(Outage,))
    assert breaker.call(lambda: "answered", fallback=_skipped) == "skipped"
    time.sleep(0.05)
    assert breaker.call(lambda: "answered", fallback=_skipped) == "answered", "the trial"
    assert breaker.would_allow_call()
    assert breaker.call(lambda: "answered", fallback=_skipped) == "answered"


def test_a_trial_that_raises_something_else_lets_the_next_caller_try():
    """An error that says nothing about the service (a bug in the caller) ends the trial."""
    breaker = CircuitBreaker("test service", interval=0.05)
    breaker.call(_fail, fallback=_skipped, failures=(Outage,))
    time.sleep(0.05)

    def buggy() -> str:
        raise KeyError("a bug in the caller")

    with pytest.raises(KeyError):
        breaker.call(buggy, fallback=_skipped, failures=(Outage,))
    assert breaker.call(lambda: "answered", fallback=_skipped) == "answered"
