"""Rate limits for public forms, counted in the database.

Written by hand because django-ratelimit needs a cache with atomic increments (Redis or
Memcached), and these limits must hold across processes *and* keep working while Redis is down.
A counter row per (scope, key, window) is incremented with a single ``UPDATE … SET count =
count + 1``, which is atomic on SQLite and PostgreSQL alike. Only POSTs count.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .models import RateLimitCounter

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """"5/h" → (5, 3600); "20/10m" → (20, 600)."""
    count, _, period = rate.partition("/")
    number = period[:-1] or "1"
    return int(count), int(number) * _UNITS[period[-1]]


def hit(*, scope: str, key: str, rate: str) -> bool:
    """Count one attempt; return True while the limit still allows it."""
    if not key:
        return True
    limit, seconds = parse_rate(rate)
    now = timezone.now()
    window = int(now.timestamp()) // seconds
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()  # no personal data stored
    expires = now + timedelta(seconds=seconds)
    rows = RateLimitCounter.objects.filter(key=digest, window=window)
    if not rows.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                RateLimitCounter.objects.create(key=digest, window=window, count=1, expires_at=expires)
        except IntegrityError:
            rows.update(count=F("count") + 1)
    count = rows.values_list("count", flat=True).first() or 0
    return count <= limit


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def limit_public_form(
    *, scope: str, per_client: str = "30/h", per_address: str = "5/h", address_field: str = "email"
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit POSTs to a view per client IP and per submitted (normalised) email address.
    Over the limit, the visitor gets the 429 page and nothing is stored."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST" and settings.RATELIMIT_ENABLED:
                address = str(request.POST.get(address_field, "")).strip().lower()[:254]
                allowed = hit(scope=f"{scope}:ip", key=client_ip(request), rate=per_client)
                allowed = hit(scope=f"{scope}:address", key=address, rate=per_address) and allowed
                if not allowed:
                    return render(request, "429.html", status=429)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def purge_expired() -> int:
    return RateLimitCounter.objects.filter(expires_at__lt=timezone.now()).delete()[0]
