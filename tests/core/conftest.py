"""Redis and the broker really unavailable, with the production client settings: *down* (a port
nobody listens on: every connection is refused at once) or *hung* (a server that accepts
connections and never answers, as a Redis stopped with SIGSTOP). Each test gets its own port,
so the circuit breakers (one per address and process) start closed in every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.core.cache import BaseCache, caches

from tests.broker import UNREACHABLE_BROKER, point_celery_at
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
    """Celery no longer runs tasks eagerly but talks to a broker that does not answer."""
    yield from _broker_at(settings, UNREACHABLE_BROKER, "down")


@pytest.fixture
def broker_hung(settings, hung_redis) -> Iterator[None]:
    """Celery no longer runs tasks eagerly but talks to a broker that accepts and never answers."""
    yield from _broker_at(settings, hung_redis.url, "hung")
