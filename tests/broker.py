"""Point this process's Celery app at another broker: a real Redis (the integration tests) or
one that does not answer (Redis down)."""

from __future__ import annotations

# Nothing listens on port 1: connecting is refused at once, as when Redis is down.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def point_celery_at(broker_url: str, **conf) -> None:
    """Point this process's Celery app at another broker, dropping cached connections and
    producers (both pools cache the broker they were made for)."""
    from portal.celery import app

    app.conf.update(broker_url=broker_url, **conf)
    app._pool = None
    app.amqp._producer_pool = None
