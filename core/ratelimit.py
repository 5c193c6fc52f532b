"""Rate limits for public forms, counted in the database.

Written by hand because django-ratelimit needs a cache with atomic increments (Redis or
Memcached), and these limits must hold across processes *and* keep working while Redis is down.
A counter row per (scope, key, window) is incremented with a single ``UPDATE … SET count =
count + 1``, which is atomic on SQLite and PostgreSQL alike. Windows are fixed (aligned to the
epoch), so the wait before a refused visitor may try again is the rest of the window that was
exceeded: the 429 page states it and sends it as ``Retry-After``.

Two kinds of limit:

- ``limit_public_form`` guards a view: every POST counts against the client, and an accepted one
  (the view redirects) against the submitted address, plus tags stripped (``limit_key``).
- A view or service whose rule depends on what a submission *did* counts it itself with
  ``Limit`` and answers ``too_many_requests`` (or raises ``RateLimited`` for the view to). The
  registration engine does so: its per-address limit counts only new registrations, per
  session, and it caps new registrations per client per session (``events.services.register``
  and "Registration abuse" in the README). A limit that could refuse an address's owner because
  a stranger typed it belongs there, not here.

Only POSTs count; ``RATELIMIT_ENABLED`` off turns every limit off.
"""

from __future__ import annotations

import hashlib
import math
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

from .email_address import limit_key
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

    def seconds_left(self) -> int:
        """Seconds until this window ends and its count starts afresh (at least 1)."""
        return max(1, math.ceil((self.number + 1) * self.seconds - timezone.now().timestamp()))


@dataclass(frozen=True)
class Limit:
    """``rate`` attempts per window for ``key`` within ``scope``. An empty key is never limited."""

    scope: str
    key: str
    rate: str

    def _window(self) -> _Window:
        return _Window.of(scope=self.scope, key=self.key, rate=self.rate)

    def hit(self) -> bool:
        """Count one attempt; return True while the limit still allows it."""
        if not self.key:
            return True
        window = self.record()
        return window.count() <= window.limit

    def record(self) -> _Window:
        """Count one attempt without reading the count back (for a caller that checked
        ``exhausted`` first). Inside a transaction the count is part of it: rolled back with it,
        and (on PostgreSQL) the counter row stays locked until it ends."""
        window = self._window()
        if not self.key:
            return window
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
        return window

    def exhausted(self) -> bool:
        """Whether the limit is already used up, without counting an attempt."""
        if not self.key:
            return False
        window = self._window()
        return window.count() >= window.limit

    def retry_after(self) -> int:
        """Seconds until the current window ends."""
        return self._window().seconds_left()


class RateLimited(Exception):
    """Raised by a service over one of its limits; the view answers ``too_many_requests``."""

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(f"rate limited, retry after {retry_after} s")
        self.retry_after = retry_after


def refuse_if_exhausted(limits: list[Limit]) -> None:
    """Raise ``RateLimited`` (with the longest wait) if any of ``limits`` is used up."""
    waits = [limit.retry_after() for limit in limits if limit.exhausted()]
    if waits:
        raise RateLimited(retry_after=max(waits))


def hit(*, scope: str, key: str, rate: str) -> bool:
    """Count one attempt; return True while the limit still allows it."""
    return Limit(scope, key, rate).hit()


def exhausted(*, scope: str, key: str, rate: str) -> bool:
    """Whether the limit is already used up, without counting an attempt."""
    return Limit(scope, key, rate).exhausted()


def too_many_requests(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    """The 429 page: it says how long to wait (rounded up to whole minutes) and sends the wait in
    seconds as ``Retry-After``."""
    response = render(request, "429.html", {"minutes": max(1, math.ceil(retry_after / 60))}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


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


def limited_client(request: HttpRequest) -> str:
    """The key a service counts this visitor's writes against: ``client_ip``, or "" (never
    limited) while ``RATELIMIT_ENABLED`` is off."""
    return client_ip(request) if settings.RATELIMIT_ENABLED else ""


def limit_public_form(
    *, scope: str, per_client: str = "30/h", per_address: str | None = "5/h", address_field: str = "email"
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit POSTs to a view per client address, and accepted submissions per email address.

    Every POST counts against the client; only an accepted one (the view redirects) counts
    against the submitted address (``limit_key``: plus tags count as the address), so someone
    correcting a typo — or a stranger typing a victim's address into a failing form — does not
    lock that address out. ``per_address=None`` leaves the address to the view (registration
    counts only new registrations, per session). Over either limit, the visitor gets the 429
    page and the view does not run."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "POST" or not settings.RATELIMIT_ENABLED:
                return view(request, *args, **kwargs)
            client = Limit(f"{scope}:ip", client_ip(request), per_client)
            address = (
                Limit(f"{scope}:address", limit_key(str(request.POST.get(address_field, "")))[:254], per_address)
                if per_address
                else None
            )
            over = [] if client.hit() else [client]
            if address is not None and address.exhausted():
                over.append(address)
            if over:
                return too_many_requests(request, retry_after=max(limit.retry_after() for limit in over))
            response = view(request, *args, **kwargs)
            if address is not None and 300 <= response.status_code < 400:
                address.hit()
            return response

        return wrapper

    return decorator


def purge_expired() -> int:
    return RateLimitCounter.objects.filter(expires_at__lt=timezone.now()).delete()[0]
