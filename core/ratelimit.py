"""Rate limits for public forms, counted in the database.

Written by hand because django-ratelimit needs a cache with atomic increments (Redis or
Memcached), and these limits must hold across processes *and* keep working while Redis is down.
A counter row per (scope, key, window) is incremented with a single ``UPDATE … SET count =
count + 1``, which is atomic on SQLite and PostgreSQL alike.

Two kinds of counter:

- ``Limit``: a rate, in fixed windows aligned to the epoch, so the wait before a refused visitor
  may try again is the rest of the window that was exceeded: the 429 page states it and sends it
  as ``Retry-After``.
- ``Cap``: a total until a given moment (one window that never starts afresh before then), for
  an allowance that must not renew while the thing it guards lasts — a fixed window of any
  length would renew somewhere inside it.

Where they are counted:

- ``limit_public_form`` guards a view: every POST counts against the client, and an accepted one
  (the view redirects) against the submitted address exactly as typed, only trimmed and
  lower-cased (``normalise_email``). Plus-tagged variants are other addresses here, so a
  stranger cannot use up an address's allowance with ``ana+1@…``, ``ana+2@…``; one who types the
  address itself can, on that form, for the rest of the hour — the price of the limit's purpose,
  which is that no address is flooded with the form's messages (each accepted submission of
  these forms mails that address or is sent on in its name), and the owner has then received
  what the stranger caused.
- A view or service whose rule depends on what a submission *did* counts it itself and answers
  ``too_many_requests`` (or raises ``RateLimited`` for the view to). The registration engine does
  so: its per-address limit counts only new registrations, per session, and it caps new
  registrations per client per session (``events.services.register`` and "Registration abuse"
  in the README). A limit that could cost an address's owner a seat because a stranger typed
  the address belongs there, not here.

A client is its IP address (``client_ip``); an IPv6 address counts by its /64 network, because
one subscriber gets a whole /64 and can pick a new address in it for every request.

Only POSTs count; ``RATELIMIT_ENABLED`` off turns every limit off.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
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
    """One counter row: at most ``limit`` for ``digest`` in window ``number``, which ends at
    ``ends_at`` (seconds since the epoch)."""

    limit: int
    digest: str
    number: int
    ends_at: float

    @property
    def rows(self) -> QuerySet[RateLimitCounter]:
        return RateLimitCounter.objects.filter(key=self.digest, window=self.number)

    def count(self) -> int:
        return self.rows.values_list("count", flat=True).first() or 0

    def seconds_left(self) -> int:
        """Seconds until this window ends and its count starts afresh (at least 1)."""
        return max(1, math.ceil(self.ends_at - timezone.now().timestamp()))

    def record(self) -> None:
        if self.rows.update(count=F("count") + 1):
            return
        try:
            with transaction.atomic():
                RateLimitCounter.objects.create(
                    key=self.digest,
                    window=self.number,
                    count=1,
                    expires_at=datetime.fromtimestamp(self.ends_at, tz=UTC),
                )
        except IntegrityError:  # created by a concurrent request meanwhile
            self.rows.update(count=F("count") + 1)


def _digest(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()  # no personal data stored


class _Counter:
    """What ``Limit`` and ``Cap`` share: counting attempts for ``key`` within ``scope`` in the
    window ``_window`` says. An empty key is never limited."""

    key: str

    def _window(self) -> _Window:
        raise NotImplementedError

    def hit(self) -> bool:
        """Count one attempt; return True while the limit still allows it."""
        if not self.key:
            return True
        window = self._window()
        window.record()
        return window.count() <= window.limit

    def record(self) -> None:
        """Count one attempt without reading the count back (for a caller that checked
        ``exhausted`` first). Inside a transaction the count is part of it: rolled back with it,
        and (on PostgreSQL) the counter row stays locked until it ends."""
        if self.key:
            self._window().record()

    def exhausted(self) -> bool:
        """Whether the limit is already used up, without counting an attempt."""
        if not self.key:
            return False
        window = self._window()
        return window.count() >= window.limit

    def retry_after(self) -> int:
        """Seconds until the current window ends."""
        return self._window().seconds_left()


@dataclass(frozen=True)
class Limit(_Counter):
    """``rate`` attempts per window for ``key`` within ``scope``: "5/h" is five per clock hour,
    "20/10m" twenty per ten minutes (windows aligned to the epoch)."""

    scope: str
    key: str
    rate: str

    def _window(self) -> _Window:
        limit, seconds = parse_rate(self.rate)
        number = int(timezone.now().timestamp()) // seconds
        return _Window(limit, _digest(self.scope, self.key), number, float((number + 1) * seconds))


@dataclass(frozen=True)
class Cap(_Counter):
    """At most ``count`` attempts for ``key`` within ``scope`` in total, until ``until``; the
    counter row is deleted after that (``purge_expired``). ``until`` must be when the allowance
    may end: if that can move, put it in the key too, so a moved end starts a new count instead
    of losing the old one early."""

    scope: str
    key: str
    count: int
    until: datetime

    def _window(self) -> _Window:
        return _Window(self.count, _digest(self.scope, self.key), 0, self.until.timestamp())


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


def too_many_requests(request: HttpRequest, *, retry_after: int, at_most: bool = False) -> HttpResponse:
    """The 429 page: it says how long to wait (rounded up to whole minutes) and sends the wait in
    seconds as ``Retry-After``. ``at_most``: the wait is an upper bound (the limit may free up
    sooner), and the page says so instead of "about"."""
    context = {"minutes": max(1, math.ceil(retry_after / 60)), "at_most": at_most}
    response = render(request, "429.html", context, status=429)
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


def client_key(request: HttpRequest) -> str:
    """What the limits count a visitor as: ``client_ip``, or for IPv6 its /64 network (one
    subscriber's share, in which they may use any address; allauth counts IPv6 the same way)."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is None:
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    return address


def limited_client(request: HttpRequest) -> str:
    """The key a service counts this visitor's writes against: ``client_key``, or "" (never
    limited) while ``RATELIMIT_ENABLED`` is off."""
    return client_key(request) if settings.RATELIMIT_ENABLED else ""


def limit_public_form(
    *, scope: str, per_client: str = "30/h", per_address: str | None = "5/h", address_field: str = "email"
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit POSTs to a view per client address, and accepted submissions per email address.

    Every POST counts against the client (``client_key``); only an accepted one (the view
    redirects) counts against the submitted address (``normalise_email``: plus-tagged variants
    are other addresses, so they cannot use up the plain one's allowance), so someone correcting
    a typo — or a stranger typing a victim's address into a failing form — does not count
    against that address. ``per_address=None`` leaves the address to the view (registration
    counts only new registrations, per session). Over either limit, the visitor gets the 429
    page and the view does not run."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "POST" or not settings.RATELIMIT_ENABLED:
                return view(request, *args, **kwargs)
            client = Limit(f"{scope}:ip", client_key(request), per_client)
            address = (
                Limit(f"{scope}:address", normalise_email(str(request.POST.get(address_field, "")))[:254], per_address)
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
