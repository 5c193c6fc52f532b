"""Redis and the broker really unavailable, with the production client settings: *down* (a port
nobody listens on: every connection is refused at once) or *hung* (a server that accepts
connections and never answers, as a Redis stopped with SIGSTOP). Each test gets its own port,
so the circuit breakers (one per address and process) start closed in every test. And a real
Redis of the test's own (``private_redis``), for what must happen once Redis answers again."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import BaseCache, caches

from tests.broker import point_celery_at
from tests.hung_redis import HungRedis, closed_port_url


def _point_cache_at(settings, url: str) -> BaseCache:
    """The default cache becomes the production backend with the production options (the
    suite's settings use the in-memory cache, since REDIS_URL is unset for it)."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": django_settings.REDIS_CACHE_OPTIONS,
        },
    }
    return caches["default"]


@pytest.fixture
def hung_redis() -> Iterator[HungRedis]:
    with HungRedis() as hung:
        yield hung


@pytest.fixture
def redis_down(settings) -> Iterator[BaseCache]:
    """The default cache is ``core.cache.ResilientRedisCache`` on a Redis that refuses connections."""
    yield _point_cache_at(settings, closed_port_url())


@pytest.fixture
def redis_hung(settings, hung_redis) -> Iterator[BaseCache]:
    """The default cache is ``core.cache.ResilientRedisCache`` on a Redis that never answers."""
    yield _point_cache_at(settings, hung_redis.url)


@pytest.fixture(params=["down", "hung"])
def redis_unavailable(request, settings) -> Iterator[str]:
    """Redis down, then hung: the cache *and* the broker on it (eager tasks off)."""
    if request.param == "down":
        url = closed_port_url()
        _point_cache_at(settings, url)
        yield from _broker_at(settings, url, request.param)
    else:
        with HungRedis() as hung:
            _point_cache_at(settings, hung.url)
            yield from _broker_at(settings, hung.url, request.param)


def _broker_at(settings, url: str, state: str) -> Iterator[str]:
    from portal.celery import app

    working = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    point_celery_at(url, task_always_eager=False)
    try:
        yield state
    finally:
        point_celery_at(**working)


@pytest.fixture
def broker_down(settings) -> Iterator[None]:
    """Celery no longer runs tasks eagerly but talks to a broker that refuses connections, on a
    port of this test's own (the broker's breaker is per address: none carries over)."""
    yield from _broker_at(settings, closed_port_url(), "down")


@pytest.fixture
def broker_hung(settings, hung_redis) -> Iterator[None]:
    """Celery no longer runs tasks eagerly but talks to a broker that accepts and never answers."""
    yield from _broker_at(settings, hung_redis.url, "hung")


@pytest.fixture
def private_redis() -> Iterator[str]:
    """A real ``redis-server`` of this test's own on a free loopback port (nothing persisted),
    stopped afterwards; yields its ``redis://`` URL. The shared Redis is never touched."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=0.2)
    try:
        deadline = time.monotonic() + 5
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.01)
        yield url
    finally:
        client.close()
        process.terminate()
        process.wait(5)
