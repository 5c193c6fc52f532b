"""Caching of public pages, and a Redis cache that never takes the site down with it.

``cached_public_page`` keeps the rendered response of a read-only public page for anonymous
visitors, keyed by the full URL (the language is part of it) and by a *content version*. Any
save, delete or many-to-many change of the portal's own records raises the version (see
``PortalConfig.ready``), so a coordinator's edit shows at once, in every process, without
tracking which page shows what.

Written by hand because Django's ``cache_page`` varies on cookies (so nearly every visitor
misses), caches for logged-in users too, and would store a response carrying a CSRF token or a
flash message; this one stores only responses that are the same for every anonymous visitor.

``ResilientRedisCache`` is Django's Redis backend with connection errors turned into cache
misses: while Redis is down pages are rendered afresh instead of failing.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

VERSION_KEY = "portal:content-version"
# The version makes stale pages unreachable at once; the timeout only bounds how long a page can
# outlive an edit whose version bump was lost while Redis was unreachable.
PAGE_TIMEOUT = 10 * 60


def content_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY) or 0
    return int(version)


def bump_content_version(**kwargs: Any) -> None:
    """Make every cached page stale. Connected to model signals (any sender of the portal's
    apps); an increment is atomic in Redis, so concurrent bumps from several processes add up."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any fresh value differs from the old one
        cache.set(VERSION_KEY, time.time_ns(), None)


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    # Logged-in coordinators and visitors with a pending flash message see personal content.
    if settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES:
        return False
    return True


def _cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # the page carries a CSRF token
        and not response.has_header("Cache-Control")  # the view decided about caching itself
    )


MAX_QUERY_VALUE = 200


def _cacheable_query(request: HttpRequest, params: frozenset[str]) -> bool:
    """Only the query parameters a page knows, with short values: random query strings must
    not fill the cache with copies of the same page."""
    return all(
        name in params and all(len(value) <= MAX_QUERY_VALUE for value in request.GET.getlist(name))
        for name in request.GET
    )


def cached_public_page(
    view: Callable[..., HttpResponse] | None = None, *, params: Iterable[str] = ()
) -> Any:
    """Serve a public GET page from the cache when it cannot differ between anonymous visitors.

    ``@cached_public_page`` caches the page without a query string;
    ``@cached_public_page(params=["q", "page"])`` also with those query parameters."""
    known = frozenset(params)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _cacheable_request(request) or not _cacheable_query(request, known):
                return view(request, *args, **kwargs)
            digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
            key = f"portal:page:{content_version()}:{digest}"
            cached = cache.get(key)
            if cached is not None:
                content, content_type, extra = cached
                response = HttpResponse(content, content_type=content_type)
                for header, value in extra.items():
                    response[header] = value
                return response
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if _cacheable_response(request, response):
                extra = {h: response[h] for h in ("Content-Disposition", "Content-Language") if response.has_header(h)}
                cache.set(key, (response.content, response["Content-Type"], extra), PAGE_TIMEOUT)
            return response

        return wrapper

    return decorator(view) if view is not None else decorator


def _miss_on_error(default: Any = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except ValueError:
                raise  # incr() of a missing key: part of the cache API, not an outage
            except Exception as exc:  # redis-py raises ConnectionError, TimeoutError, …
                logger.warning("Cache unavailable (%s: %s); carrying on without it.", type(exc).__name__, exc)
                return default() if callable(default) else default

        return wrapper

    return decorator


class ResilientRedisCache(RedisCache):
    get = _miss_on_error()(RedisCache.get)
    get_many = _miss_on_error(dict)(RedisCache.get_many)
    set = _miss_on_error()(RedisCache.set)
    set_many = _miss_on_error(list)(RedisCache.set_many)
    add = _miss_on_error(False)(RedisCache.add)
    touch = _miss_on_error(False)(RedisCache.touch)
    delete = _miss_on_error(False)(RedisCache.delete)
    delete_many = _miss_on_error()(RedisCache.delete_many)
    has_key = _miss_on_error(False)(RedisCache.has_key)
    incr = _miss_on_error(0)(RedisCache.incr)
    clear = _miss_on_error(False)(RedisCache.clear)
