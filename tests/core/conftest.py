"""Redis and the broker really unreachable: nothing listens on port 1 of the loopback, so every
connection is refused at once, as in production while Redis is down."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import BaseCache, caches

from tests.broker import UNREACHABLE_BROKER, point_celery_at


@pytest.fixture
def redis_down(settings) -> Iterator[BaseCache]:
    """The default cache is the production backend (``core.cache.ResilientRedisCache``) on a
    Redis that does not answer."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": UNREACHABLE_BROKER,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    yield caches["default"]


@pytest.fixture
def broker_down(settings) -> Iterator[None]:
    """Celery no longer runs tasks eagerly but talks to a broker that does not answer."""
    from portal.celery import app

    working = app.conf.broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    point_celery_at(UNREACHABLE_BROKER)
    try:
        yield
    finally:
        point_celery_at(working)
