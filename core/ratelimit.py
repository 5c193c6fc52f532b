"""Rate limits for public forms, counted in the database.

Written by hand because django-ratelimit needs a cache with atomic increments (Redis or
Memcached), and these limits must hold across processes *and* keep working while Redis is down.
A counter row per (scope, key, window) is incremented with a single ``UPDATE … SET count =
count + 1``, which is atomic on SQLite and PostgreSQL alike. Only POSTs count.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .email_address import normalise_email
from .models import RateLimitCounter

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """"5/h" → (5, 3600); "20/10m" → (20, 600)."""
    count, _, period = rate.partition("/")
    number = period[:-1] or "1"
    return int(count), int(number) * _UNITS[period[-1]]


@dataclass(frozen=True)
class _Window:
    limit: int
    seconds: int
    digest: str
    number: int

    @classmethod
    def of(cls, *, scope: str, key: str, rate: str) -> _Window:
        limit, seconds = parse_rate(rate)
        digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()  # no personal data stored
        return cls(limit, seconds, digest, int(timezone.now().timestamp()) // seconds)

    @property
    def rows(self) -> QuerySet[RateLimitCounter]:
        return RateLimitCounter.objects.filter(key=self.digest, window=self.number)

    def count(self) -> int:
        return self.rows.values_list("count", flat=True).first() or 0


def hit(*, scope: str, key: str, rate: str) -> bool:
    """Count one attempt; return True while the limit still allows it."""
    if not key:
        return True
    window = _Window.of(scope=scope, key=key, rate=rate)
    if not window.rows.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                RateLimitCounter.objects.create(
                    key=window.digest,
                    window=window.number,
                    count=1,
                    expires_at=timezone.now() + timedelta(seconds=window.seconds),
                )
        except IntegrityError:  # created by a concurrent request meanwhile
            window.rows.update(count=F("count") + 1)
    return window.count() <= window.limit


def exhausted(*, scope: str, key: str, rate: str) -> bool:
    """Whether the limit is already used up, without counting an attempt."""
    if not key:
        return False
    window = _Window.of(scope=scope, key=key, rate=rate)
    return window.count() >= window.limit


def client_ip(request: HttpRequest) -> str:
    """The visitor's address. Behind ``RATELIMIT_TRUSTED_PROXIES`` reverse proxies, it is the
    address the outermost trusted proxy saw (counted from the right of X-Forwarded-For, so a
    client cannot choose it by sending the header itself)."""
    proxies = settings.RATELIMIT_TRUSTED_PROXIES
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def limit_public_form(
    *, scope: str, per_client: str = "30/h", per_address: str = "5/h", address_field: str = "email"
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit POSTs to a view per client address, and accepted submissions per email address.

    Every POST counts against the client; only an accepted one (the view redirects) counts
    against the submitted address, so someone correcting a typo — or a stranger typing a
    victim's address into a failing form — does not lock that address out. Over either limit,
    the visitor gets the 429 page and the view does not run."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "POST" or not settings.RATELIMIT_ENABLED:
                return view(request, *args, **kwargs)
            address = normalise_email(str(request.POST.get(address_field, "")))[:254]
            address_scope = f"{scope}:address"
            client_allowed = hit(scope=f"{scope}:ip", key=client_ip(request), rate=per_client)
            if not client_allowed or exhausted(scope=address_scope, key=address, rate=per_address):
                return render(request, "429.html", status=429)
            response = view(request, *args, **kwargs)
            if 300 <= response.status_code < 400:
                hit(scope=address_scope, key=address, rate=per_address)
            return response

        return wrapper

    return decorator


def purge_expired() -> int:
    return RateLimitCounter.objects.filter(expires_at__lt=timezone.now()).delete()[0]
