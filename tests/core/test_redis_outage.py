"""Redis is an accelerator, never a dependency of correctness: with Redis *down* (connections
refused) or *hung* (connections accepted, never answered) — cache and broker both — pages and
``/healthz`` answer quickly, coordinators log in and reset passwords (allauth's rate limits
still count), and public forms keep what visitors submit. A hung Redis is asked at most once per
circuit-breaker interval, not on every call."""

from __future__ import annotations

import json
import threading
import time

import pytest
from django.core.cache import caches
from django.test import Client

from events.models import Registration
from outbox.models import OutgoingEmail
from tests.conftest import PASSWORD
from tests.events.factories import SessionFactory
from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_pages_and_healthz_answer_quickly(client, redis_unavailable):
    PartnerFactory(name="Kranj City Library")
    urls = ["/", "/partners/", "/healthz"]
    for url in urls:  # the first calls find out that Redis is gone (one timeout when hung)
        assert client.get(url).status_code == 200
    responses, elapsed = timed(lambda: [client.get(urls[n % 3]) for n in range(10)])
    assert [r.status_code for r in responses] == [200] * 10
    assert elapsed < 2, f"10 requests took {elapsed:.2f} s with Redis {redis_unavailable}"
    assert "Kranj City Library" in client.get("/partners/").content.decode()
    health = json.loads(client.get("/healthz").content)
    assert health == {"status": "ok", "database": "ok", "cache": "error", "broker": "error"}


def test_a_hung_redis_is_asked_once_per_interval_then_again(settings, hung_redis):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": hung_redis.url,
            "OPTIONS": {**settings.REDIS_CACHE_OPTIONS, "BREAKER_INTERVAL": 0.5},
        },
    }
    cache = caches["default"]
    _, first = timed(lambda: cache.get("key"))
    assert first < 0.6, "one short timeout, no retries"
    assert hung_redis.accepted == 1
    _, rest = timed(lambda: [cache.get("key") for _ in range(50)])
    assert rest < 0.1 and hung_redis.accepted == 1, "skipped while the breaker is open"
    time.sleep(0.5)
    cache.get("key")
    assert hung_redis.accepted == 2, "after the interval Redis is tried again"


def test_after_the_interval_one_caller_tries_redis_and_the_others_do_not_wait(settings, hung_redis):
    """Django makes a cache object per thread; the breaker is the process's: of five threads
    arriving together after the interval, one pays the timeout, the others are answered at once."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": hung_redis.url,
            "OPTIONS": {**settings.REDIS_CACHE_OPTIONS, "BREAKER_INTERVAL": 0.3},
        },
    }
    caches["default"].get("key")  # opens the breaker
    time.sleep(0.3)
    together = threading.Barrier(5)
    waited: list[float] = []

    def visit() -> None:
        cache = caches["default"]  # this thread's own
        together.wait()
        waited.append(timed(lambda: cache.get("key"))[1])

    threads = [threading.Thread(target=visit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert hung_redis.accepted == 2, "one more try, not five"
    waited.sort()
    assert waited[-1] >= 0.25 and waited[-2] < 0.1, waited


def test_the_stand_in_is_a_working_cache_and_pages_are_not_kept_in_it(client, redis_hung):
    """allauth locks with ``add`` and counts with ``get``/``set``: those work as the cache API
    says. Pages are rendered afresh (another process's edit could not make a page stale here)."""
    assert redis_hung.add("lock", 1, 10) is True
    assert redis_hung.add("lock", 1, 10) is False, "a second add of a held lock fails"
    redis_hung.set("history", [1.0, 2.0], 60)
    assert redis_hung.get("history") == [1.0, 2.0]
    assert redis_hung.served_locally and not redis_hung.shared
    PartnerFactory(name="Kranj City Library")
    assert "Kranj City Library" in client.get("/partners/").content.decode()
    assert not [key for key in redis_hung._fallback._cache if "portal:page:" in key]


def test_a_coordinator_logs_in(redis_unavailable, network_coordinator):
    client = Client()
    response, elapsed = timed(lambda: client.post(LOGIN, {"login": network_coordinator.email, "password": PASSWORD}))
    assert response.status_code == 302, f"with Redis {redis_unavailable}"
    assert client.session["_auth_user_id"] == str(network_coordinator.pk)
    assert elapsed < 1.5


def test_wrong_passwords_are_still_limited(redis_unavailable, network_coordinator):
    client = Client()
    for _ in range(5):
        response = client.post(LOGIN, {"login": network_coordinator.email, "password": "wrong password"})
        assert response.status_code == 200, "the form again, with its error (not 429 for everybody)"
        assert "Too many failed login attempts" not in response.content.decode()
    response = client.post(LOGIN, {"login": network_coordinator.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session, "allauth's limit still counts while Redis is unavailable"
    assert "Too many failed login attempts" in response.content.decode()


def test_a_password_reset_is_accepted_and_its_email_kept(redis_unavailable, network_coordinator):
    response, elapsed = timed(lambda: Client().post("/accounts/password/reset/", {"email": network_coordinator.email}))
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
    assert elapsed < 2
    assert OutgoingEmail.objects.filter(to=network_coordinator.email).count() == 1, "waits in the outbox"


def test_public_forms_keep_what_visitors_submit(client, redis_unavailable, django_capture_on_commit_callbacks):
    from mailing.models import MailingList

    session = SessionFactory(capacity=10)
    news = MailingList.objects.get(slug="network-news")

    def post(url: str, data: dict):  # the emails are handed to the broker after the commit
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    # A visitor reads a cached list before registering: that first cache call pays the cache's
    # own short timeout (0.3 s) and opens its breaker, so the registration's raising of the seats
    # area after its commit costs nothing, and what is timed below is the broker's cost alone.
    page, cache_cost = timed(lambda: client.get("/events/"))
    assert page.status_code == 200 and cache_cost < 1, f"a hung cache costs one short timeout; took {cache_cost:.2f} s"
    registered, first = timed(lambda: post(session.event.get_absolute_url(), {
        "session": session.pk, "name": "Ana Novak", "email": "ana@example.org", "affiliation": "UL", "consent": "on",
    }))
    subscribed, second = timed(lambda: post("/mailing-list/", {
        "email": "bojan@example.org", "lists": [news.pk], "consent": "on",
    }))
    assert (registered.status_code, subscribed.status_code) == (302, 302)
    assert Registration.objects.filter(email="ana@example.org").exists()
    assert set(OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED).values_list("to", flat=True)) == {
        "ana@example.org", "bojan@example.org"
    }, "the emails wait in the outbox for the sweep"
    assert first < 1.5, f"a hung broker costs one publish timeout (about a second), once; took {first:.2f} s"
    assert second < 0.5, f"then it is skipped until the breaker's interval has passed; took {second:.2f} s"
