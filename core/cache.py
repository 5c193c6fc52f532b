"""Caching of public pages, and a Redis cache that never takes the site down with it.

``cached_public_page`` keeps the rendered response of a read-only public page for anonymous
visitors, keyed by the full URL (the language is part of it) and by the *versions of the content
areas* the page shows. A model declares the area it feeds (``content_area = "directory"``); a
save, delete or many-to-many change of it raises that area's version after commit (see
``connect_content_models``, called in ``CoreConfig.ready``), so a coordinator's edit shows at
once, in every process, and a change in one area (a registration) leaves the pages of the
others (partners, news) cached. Writes that bypass model signals (``queryset.update()``) go
through services that call ``bump_after_commit`` themselves.

Written by hand because Django's ``cache_page`` varies on cookies (so nearly every visitor
misses), caches for logged-in users too, and would store a response carrying a CSRF token or a
flash message; this one stores only responses that are the same for every anonymous visitor —
and a page with a form (``csrf=True``: an event's page with its registration form) without its
token, putting a fresh token of the visitor's own into each copy it serves. What changes far
more often than the rest of a page (an event's seats, with every registration) can be left out
of the stored copy as well and put in each time it is served (``fill``), so that changing it
never costs a rendering.

``ResilientRedisCache`` is Django's Redis backend behind a circuit breaker (``core.breaker``):
when Redis fails or does not answer in time, this process stops asking it for a few seconds and
a local-memory cache of its own answers instead, so a hung Redis costs one short timeout per
interval, not one per call, and what needs a working cache API (allauth's rate limits lock with
``cache.add``) keeps working, per process. Pages are neither read from nor stored in that
stand-in (an edit in another process could not make them stale): while Redis is unreachable
they are rendered afresh. A content-area version raised meanwhile reached only this process's
memory; this process raises it again in Redis as soon as Redis answers any of its cache calls
(``_reraise_unshared_bumps``). A process that makes no cache call after Redis is back, or ends
first (a worker that saved a change and touches the cache no more), cannot: pages other
processes cached before that change are then served until ``PAGE_TIMEOUT``.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from redis.exceptions import RedisError

from .breaker import DEFAULT_INTERVAL, breaker, without_credentials
from .handover import HandOver, delay

T = TypeVar("T")


class ContentArea(StrEnum):
    """The parts of the public site whose pages are cached and made stale together."""

    SITE = "site"  # on every page: the footer's contact block, the introduction
    DIRECTORY = "directory"  # partners, working groups, service modules and offers
    EVENTS = "events"  # events, their sessions, webinars
    SEATS = "seats"  # seats left on sessions: raised by every registration, shown by event lists
    NEWS = "news"
    PROJECTS = "projects"  # the project catalogue
    INFRASTRUCTURE = "infrastructure"  # the infrastructure catalogue


# Every cached page shows the site area too.
SITE_AREA = ContentArea.SITE
# The version makes stale pages unreachable at once; the timeout only bounds how long a page can
# outlive an edit whose version bump never reached Redis (made while Redis was unreachable by a
# process that made no cache call after Redis answered again, or ended first; see _unshared_bumps).
PAGE_TIMEOUT = 10 * 60


def _version_key(area: str) -> str:
    return f"portal:content-version:{area}"


def _cache_is_shared() -> bool:
    """False while the cache answers from this process's memory alone (``ResilientRedisCache``
    with Redis unreachable)."""
    return getattr(cache, "shared", True)


def served_locally() -> bool:
    """Whether this thread's last call to the default cache was answered by this process's
    memory alone (``ResilientRedisCache`` skipping Redis), not by the shared cache."""
    return getattr(cache, "served_locally", False)


# Areas raised while Redis was unreachable: the raise reached only this process's memory, so
# pages other processes cached in Redis before the change would be served until PAGE_TIMEOUT.
# Raised again in Redis by the first cache call of this process that Redis answers, whatever it
# was for (a second raise is harmless, a lost one is not).
_unshared_bumps: set[str] = set()
_reraising = threading.local()  # the re-raise's own cache calls must not start another


def _reraise_unshared_bumps() -> None:
    if getattr(_reraising, "active", False):
        return
    _reraising.active = True
    try:
        for _ in range(len(_unshared_bumps)):  # each at most once: one that fails again stays
            try:
                area = _unshared_bumps.pop()  # atomic: two threads never take the same one
            except KeyError:
                return
            bump_content_area(area)
            if served_locally():
                return  # Redis is skipped again; the area is pending again
    finally:
        _reraising.active = False


def scoped(area: ContentArea, scope: str) -> str:
    """The part of ``area`` about one thing (``scoped(SEATS, "event:<slug>")``: one event's seats):
    what shows only that part names it instead of the whole area (``remembered(areas=...)``), and
    a change raises both the part and the area (``invalidate_on_save_or_delete``, through the
    model's ``content_scopes``)."""
    return f"{ContentArea(area)}@{scope}"


def _area_of(key: str) -> ContentArea:
    """The area of a plain or scoped key (an unknown area fails here)."""
    return ContentArea(key.split("@", 1)[0])


# What this process remembers of the shared cache, for at most LOCAL_SECONDS: the content
# versions it read (so a hot page costs no round trip for them), and the pages it served (keyed,
# like the shared copies, by those versions); and values built from the database for as long as
# those versions hold (``remembered``). A change made in another process therefore shows here
# within LOCAL_SECONDS; one made in this process, at once (``bump_content_area`` forgets the
# version it raised), but for the LAGGING_AREAS. Bounded: LOCAL_PAGES pages and LOCAL_PAGES
# values at most, the least recently used go first.
LOCAL_SECONDS = 1.0
LOCAL_PAGES = 256
_local_versions: dict[str, tuple[float, int]] = {}
_local_pages: OrderedDict[str, tuple[float, Any]] = OrderedDict()
_local_values: OrderedDict[str, tuple[tuple[int, ...], float, Any]] = OrderedDict()
_local_lock = threading.Lock()


def forget_local() -> None:
    """Drop what this process remembers (tests, and the benchmark's query count, clear the
    shared cache and must not be answered from here)."""
    with _local_lock:
        _local_versions.clear()
        _local_pages.clear()
        _local_values.clear()


def _local_page(key: str) -> Any:
    with _local_lock:
        entry = _local_pages.get(key)
        if entry is None or entry[0] <= time.monotonic():
            return None
        _local_pages.move_to_end(key)
        return entry[1]


def _remember_page(key: str, value: Any, timeout: float) -> None:
    with _local_lock:
        _local_pages[key] = (time.monotonic() + timeout, value)
        _local_pages.move_to_end(key)
        while len(_local_pages) > LOCAL_PAGES:
            _local_pages.popitem(last=False)


def content_versions(areas: Iterable[str]) -> tuple[int, ...]:
    """The current version of each area, in order (one cache round trip when all are set; none
    for those this process read from the shared cache less than LOCAL_SECONDS ago)."""
    if _unshared_bumps:
        _reraise_unshared_bumps()
    keys = [_version_key(area) for area in areas]
    now = time.monotonic()
    found: dict[str, Any] = {}
    for key in keys:
        local = _local_versions.get(key)
        if local is not None and local[0] > now:
            found[key] = local[1]
    missing = [key for key in keys if key not in found]
    if missing:
        found.update(cache.get_many(missing))
        for key in missing:
            if found.get(key) is None:
                cache.add(key, time.time_ns(), None)
                found[key] = cache.get(key) or 0
        if _cache_is_shared() and not served_locally():
            for key in missing:
                _local_versions[key] = (now + _remember_version_for(key), int(found[key]))
    return tuple(int(found[key]) for key in keys)


def remembered(key: str, *, areas: Iterable[str], build: Callable[[], T]) -> T:
    """``build()``'s result, kept in this process while the versions of ``areas`` stay what they
    were before it was built: a change in another process shows here within LOCAL_SECONDS (the
    versions are read like a page's), one in this process at once (but for LAGGING_AREAS). For
    rows a busy write path only reads to check a submission (an event, its open dates, its
    questions) — what it then writes is checked again in its transaction — and for what a
    cached page is filled with per request (an event's seat counts). The value is shared by the
    process's threads: treat it as read-only (``copy.copy`` a model instance before changing
    it). Built afresh each time while the shared cache is unreachable (another process's change
    could not show), and a ``None`` is never kept (unknown keys cannot push the known ones out).
    Kept at most PAGE_TIMEOUT, like a page (a raise that never reached Redis is outlived no
    longer), and bounded like the pages: LOCAL_PAGES values, the least recently used go first."""
    if not _cache_is_shared():
        return build()
    versions = content_versions(areas)  # before the rows are read: a change after it raises them
    with _local_lock:
        entry = _local_values.get(key)
        if entry is not None and entry[0] == versions and entry[1] > time.monotonic():
            _local_values.move_to_end(key)
            return entry[2]
    value = build()
    if value is not None and _cache_is_shared():
        with _local_lock:
            _local_values[key] = (versions, time.monotonic() + PAGE_TIMEOUT, value)
            _local_values.move_to_end(key)
            while len(_local_values) > LOCAL_PAGES:
                _local_values.popitem(last=False)
    return value


# Areas whose changes may show up to LOCAL_SECONDS late in the process that made them too (in
# the others they always may). Seats: a burst of registrations then costs each process at most
# one count per second of the seats of the event whose page everybody is opening (and one
# rendering per second of each list that shows seats), not one after each registration it
# handled; seat counts are still right within a second.
LAGGING_AREAS = frozenset({ContentArea.SEATS})
_LAGGING_KEYS = tuple(_version_key(area) for area in LAGGING_AREAS)  # and their scoped parts


def _remember_version_for(key: str) -> float:
    """How long this process trusts a version it read: LOCAL_SECONDS, less for the LAGGING_AREAS
    the time their raise may wait in ``_lagging_raises``, so that they too show within a second."""
    if key.startswith(_LAGGING_KEYS):
        return max(0.0, LOCAL_SECONDS - delay())
    return LOCAL_SECONDS


def bump_content_area(area: str) -> None:
    """Make every cached page that shows ``area`` stale: now in this process (within
    LOCAL_SECONDS for LAGGING_AREAS), within LOCAL_SECONDS in the others. An increment is atomic
    in Redis, so concurrent bumps from several processes add up. Prefer ``bump_after_commit``."""
    bump_content_areas([area])


def bump_content_areas(areas: Iterable[str]) -> None:
    """``bump_content_area`` for several areas (each once), in one round trip to Redis."""
    areas = list(dict.fromkeys(map(str, areas)))
    for area in areas:
        if _area_of(area) not in LAGGING_AREAS:
            _local_versions.pop(_version_key(area), None)  # this process reads the new one at once
    keys = [_version_key(area) for area in areas]
    raise_versions = getattr(cache, "raise_versions", None)  # ResilientRedisCache's (``cache`` is a proxy)
    if raise_versions is not None:
        raise_versions(keys)
    else:
        for key in keys:
            _raise_version(cache, key)
    if served_locally():
        _unshared_bumps.update(areas)


def _raise_version(backend: Any, key: str) -> None:
    try:
        backend.incr(key)
    except ValueError:  # not set yet (or evicted): any fresh value differs from the old one
        backend.set(key, time.time_ns(), None)


# Raises of LAGGING_AREAS alone (a registration's: the seats of its session's event) are told to
# Redis from a thread a moment after the commit, with those of the next few requests, in one
# pipeline (``core.handover``): the request does not wait for it, and a burst of registrations
# raises each event's seats once per HANDOVER_MS, not once each. One lost with its process
# leaves a seat count stale for PAGE_TIMEOUT at most, as a raise made while Redis was down.
_lagging_raises = HandOver(
    bump_content_areas, seconds=delay, name="cache-handover",
    failure="Could not raise the content versions of %s in the shared cache.",
)


def bump_after_commit(*areas: str | None, using: str | None = None) -> None:
    """Raise each area's (or scoped part's) version once the current transaction commits (at
    once outside one). Only after the commit, and that is enough: a page rendered from the old
    rows before the commit is stored under the old version, which the bump makes unreachable; a
    page rendered after the bump reads the committed rows. A rolled-back change bumps nothing."""
    known = [str(area) for area in dict.fromkeys(areas) if area is not None]
    lagging = all([_area_of(area) in LAGGING_AREAS for area in known])  # an unknown area fails here
    if known:
        if lagging:
            _lagging_raises.add_after_commit(*known, using=using)
        else:
            transaction.on_commit(functools.partial(bump_content_areas, known), using=using)


def content_area_of(model: Any) -> ContentArea | None:
    """The public content area a model feeds (its ``content_area`` attribute), or None."""
    area = getattr(model, "content_area", None)
    return ContentArea(area) if area else None


def invalidate_on_save_or_delete(sender: Any, **kwargs: Any) -> None:
    """``post_save`` / ``post_delete`` of a model with a ``content_area``: raise it after commit,
    and the parts of it the row belongs to (the model's ``content_scopes()``, if it has one)."""
    area = content_area_of(sender)
    instance = kwargs.get("instance")
    scopes = instance.content_scopes() if hasattr(instance, "content_scopes") else []
    bump_after_commit(area, *(scoped(area, scope) for scope in scopes), using=kwargs.get("using"))


def invalidate_on_m2m_change(sender: Any, *, instance: Any, model: Any, action: str, **kwargs: Any) -> None:
    """``m2m_changed`` of a relation with a content model on either side, once it has happened."""
    if action.startswith("post_"):
        bump_after_commit(content_area_of(type(instance)), content_area_of(model), using=kwargs.get("using"))


def connect_content_models(models: Iterable[Any]) -> None:
    """Connect the invalidation to each model that declares a ``content_area`` and to the
    many-to-many relations it has: only those, so every other model keeps Django's fast delete
    (a delete with no receivers is one statement, not a load of every row)."""
    for model in models:
        if content_area_of(model) is None:
            continue
        uid = model._meta.label_lower
        post_save.connect(invalidate_on_save_or_delete, sender=model, dispatch_uid=f"content-save-{uid}")
        post_delete.connect(invalidate_on_save_or_delete, sender=model, dispatch_uid=f"content-delete-{uid}")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(invalidate_on_m2m_change, sender=through, dispatch_uid=f"content-m2m-{uid}-{field.name}")


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    # Logged-in coordinators and visitors with a pending flash message see personal content.
    if settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES:
        return False
    return True


def _cacheable_response(request: HttpRequest, response: HttpResponse, *, csrf: bool = False) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # the page carries a CSRF token: only a page that takes a fresh one per visitor is stored
        and (csrf or not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        and not response.has_header("Cache-Control")  # the view decided about caching itself
    )


# A form page is stored with this in place of its CSRF token; each visitor gets their own token
# (and cookie) put in when the page is served (``cached_public_page(csrf=True)``).
CSRF_PLACEHOLDER = b"csrf-token-of-this-visitor"
_CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")([^"]+)(")')


def _without_csrf_token(content: bytes) -> bytes:
    return _CSRF_FIELD.sub(rb"\g<1>" + CSRF_PLACEHOLDER + rb"\g<3>", content)


def _with_csrf_token(request: HttpRequest, content: bytes) -> bytes:
    if CSRF_PLACEHOLDER not in content:
        return content
    # get_token() gives this visitor a masked token of their own secret (a new secret, and the
    # cookie that carries it, for a first visit): what {% csrf_token %} would have rendered.
    return content.replace(CSRF_PLACEHOLDER, get_token(request).encode())


def _timeout(response: HttpResponse) -> int:
    """How long to keep the page: PAGE_TIMEOUT, or less when the view says when it goes stale by
    itself (``response.fresh_until``: registration for a session opens or closes, say)."""
    until = getattr(response, "fresh_until", None)
    if until is None:
        return PAGE_TIMEOUT
    return max(0, min(PAGE_TIMEOUT, int((until - timezone.now()).total_seconds())))


def _rendered(response: HttpResponse) -> HttpResponse:
    """``response`` with its content rendered (a ``TemplateResponse``'s is rendered late)."""
    return response.render() if callable(getattr(response, "render", None)) else response


def _copy_served(request: HttpRequest, cached: tuple[bytes, str, dict[str, str]], *, csrf: bool) -> HttpResponse:
    """A response of a stored page (with a fresh CSRF token of the visitor's own if ``csrf``)."""
    content, content_type, extra = cached
    response = HttpResponse(_with_csrf_token(request, content) if csrf else content, content_type=content_type)
    for header, value in extra.items():
        response[header] = value
    return response


MAX_QUERY_VALUE = 200


def _cacheable_query(request: HttpRequest, params: frozenset[str]) -> bool:
    """Only the query parameters a page knows, with short values: random query strings must
    not fill the cache with copies of the same page."""
    return all(
        name in params and all(len(value) <= MAX_QUERY_VALUE for value in request.GET.getlist(name))
        for name in request.GET
    )


def cached_public_page(
    *,
    areas: Iterable[ContentArea],
    params: Iterable[str] = (),
    csrf: bool = False,
    fill: Callable[..., bytes] | None = None,
) -> Any:
    """Serve a public GET page from the cache when it cannot differ between anonymous visitors.

    ``areas`` are the content areas the page shows (besides ``SITE_AREA``, which every page
    shows): a change in any of them makes the cached page stale, a change elsewhere does not.
    ``params`` are the query parameters under which the page is cached too (``["q", "page"]``).
    ``csrf``: the page carries a form; it is stored without its CSRF token and served with a
    fresh token of the visitor's own, as rendering it for them would give.
    ``fill(response, content, *args, **kwargs)``: the view renders slots for what changes more
    often than the page (an event's seats), the page is stored with them, and ``fill`` returns
    the content with them filled — for every response of the view and every copy served, so no
    visitor sees a slot and a change there never makes the page stale. ``response`` is the one
    served: the view's own (with what it attached, as ``fresh_until``: the data the page was
    rendered from, say) or a stored copy."""
    known = frozenset(params)
    shown = tuple(dict.fromkeys([SITE_AREA, *map(ContentArea, areas)]))  # an unknown area fails here

    def filled(request: HttpRequest, response: HttpResponse, args: Any, kwargs: Any) -> HttpResponse:
        if fill is not None and not response.streaming:
            response = _rendered(response)  # its content is read here
            response.content = fill(response, response.content, *args, **kwargs)
        return response

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _cacheable_request(request) or not _cacheable_query(request, known) or not _cache_is_shared():
                return filled(request, view(request, *args, **kwargs), args, kwargs)
            digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
            versions = ".".join(map(str, content_versions(shown)))
            key = f"portal:page:{versions}:{digest}"
            cached = _local_page(key)
            if cached is None:
                cached = cache.get(key)
                if cached is not None and not served_locally():
                    _remember_page(key, cached, LOCAL_SECONDS)
            if cached is not None:
                return filled(request, _copy_served(request, cached, csrf=csrf), args, kwargs)
            response = _rendered(view(request, *args, **kwargs))
            timeout = _timeout(response)
            if timeout and _cacheable_response(request, response, csrf=csrf) and _cache_is_shared():
                extra = {h: response[h] for h in ("Content-Disposition", "Content-Language") if response.has_header(h)}
                content = _without_csrf_token(response.content) if csrf else response.content
                cache.set(key, (content, response["Content-Type"], extra), timeout)
            return filled(request, response, args, kwargs)

        return wrapper

    return decorator


# What redis-py raises when Redis is down, hung, full or restarting (and socket errors it lets
# through). Anything else is a bug in the caller and is raised.
REDIS_OUTAGE = (RedisError, OSError)
# Entries the per-process stand-in keeps (allauth's rate-limit counters and locks, the health
# check; pages are not stored in it). Large enough that flooding it cannot evict a counter soon.
FALLBACK_MAX_ENTRIES = 10_000


def _through_breaker(name: str) -> Callable[..., Any]:
    redis_method = getattr(RedisCache, name)

    def method(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
        def remote() -> Any:
            self.served_locally = False
            return redis_method(self, *args, **kwargs)

        def local() -> Any:
            self.served_locally = True
            return getattr(self._fallback, name)(*args, **kwargs)

        result = self._breaker.call(remote, fallback=local, failures=REDIS_OUTAGE)
        if _unshared_bumps and not self.served_locally:  # Redis answers again: share what it missed
            _reraise_unshared_bumps()
            self.served_locally = False  # the caller's call was answered by Redis
        return result

    method.__name__ = method.__qualname__ = name
    method.__doc__ = redis_method.__doc__
    return method


class ResilientRedisCache(RedisCache):
    """Django's Redis cache that goes on without Redis.

    Each call goes to Redis while it answers. A failure or a timeout opens this process's
    breaker for ``OPTIONS["BREAKER_INTERVAL"]`` seconds (``core.breaker.DEFAULT_INTERVAL``
    unless set): calls are then answered by a local-memory cache of this process, a real cache
    (``add`` takes a lock, ``incr`` counts), not by misses; after the interval one call tries
    Redis again. Keep ``socket_connect_timeout`` and ``socket_timeout`` short in ``OPTIONS``:
    one of them is what a hung Redis costs per interval.

    ``shared`` is False while the stand-in answers (the page cache then stores nothing);
    ``served_locally`` says whether this instance's last call was answered by it (Django makes
    one instance per thread)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        interval = float(options.pop("BREAKER_INTERVAL", DEFAULT_INTERVAL))
        super().__init__(server, {**params, "OPTIONS": options})
        where = without_credentials(self._servers[0])
        self._breaker = breaker(f"Redis cache {where}", interval=interval)
        self._fallback = LocMemCache(
            f"redis-stand-in:{where}",
            {
                **{k: params[k] for k in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION") if k in params},
                "OPTIONS": {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES},
            },
        )
        self.served_locally = False

    @property
    def shared(self) -> bool:
        """Whether calls go to Redis now (shared by every process), not to this process's memory."""
        return self._breaker.would_allow_call()

    get = _through_breaker("get")
    get_many = _through_breaker("get_many")
    set = _through_breaker("set")
    set_many = _through_breaker("set_many")
    add = _through_breaker("add")
    touch = _through_breaker("touch")
    delete = _through_breaker("delete")
    delete_many = _through_breaker("delete_many")
    has_key = _through_breaker("has_key")
    incr = _through_breaker("incr")
    _clear_redis = _through_breaker("clear")

    def raise_versions(self, keys: list[str]) -> None:
        """Raise each of these integer keys by one (a missing one to a fresh value, like
        ``bump_content_area``), in one round trip (a pipeline; each increment is still atomic)."""

        def remote() -> None:
            self.served_locally = False
            client = self._cache.get_client(None, write=True)
            pipe = client.pipeline(transaction=False)
            fresh = time.time_ns()
            for key in keys:
                redis_key = self.make_and_validate_key(key)
                pipe.set(redis_key, fresh, nx=True)  # stored as Django stores an int: as is
                pipe.incr(redis_key)
            pipe.execute()

        def local() -> None:
            self.served_locally = True
            for key in keys:
                _raise_version(self._fallback, key)

        self._breaker.call(remote, fallback=local, failures=REDIS_OUTAGE)
        if _unshared_bumps and not self.served_locally:
            _reraise_unshared_bumps()
            self.served_locally = False

    def clear(self) -> bool:
        """Empty Redis and this process's stand-in."""
        self._fallback.clear()
        return bool(self._clear_redis())

