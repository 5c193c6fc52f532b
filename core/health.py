"""``/healthz``: the state of the database, the cache and the broker, for load balancers and
monitoring. 200 while the database answers; the cache and broker are reported but do not fail it
(the site keeps working, and email waits in the outbox, while Redis is down).

Redis is asked through the same circuit breakers as the rest of the process (``core.breaker``):
while one is open its part is "error" at once, so a hung Redis costs the check one short
timeout per interval, not one per call; it answers within about a second either way."""

from __future__ import annotations

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .breaker import broker_breaker
from .cache import served_locally


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return "error"
    return "ok"


def _check_cache() -> str:
    try:
        cache.set("healthz", "ok", 5)
        answered = cache.get("healthz") == "ok"
    except Exception:
        return "error"
    # While Redis is unreachable the cache answers from this process's memory
    # (core.cache.ResilientRedisCache): it works, but it is not the shared cache.
    return "ok" if answered and not served_locally() else "error"


def _connect_to_broker() -> str:
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=0, timeout=1)
    return "ok"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    return broker_breaker().call(_connect_to_broker, fallback=lambda: "error")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers; cache and broker are reported but do not fail it
    (the site keeps working, and email waits in the outbox, while Redis is down)."""
    state = {"database": _check_database(), "cache": _check_cache(), "broker": _check_broker()}
    status = 200 if state["database"] == "ok" else 503
    return JsonResponse({"status": "ok" if status == 200 else "error", **state}, status=status)
