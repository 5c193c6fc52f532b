"""A hung Redis (it accepts connections and never answers, as with SIGSTOP) behind the web
process — cache and broker both — against the real thing: pages and a registration through the
web form answer quickly, and once Redis answers again at the same address, the circuit breakers
close after their interval, the confirmation goes out through the real worker (the sweep), and
pages are cached in Redis again, none of them older than an edit made while Redis was hung."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches

from events.models import Registration
from outbox import tasks
from outbox.models import OutgoingEmail
from tests.broker import point_celery_at
from tests.events.factories import SessionFactory
from tests.hung_redis import RedisProxy
from tests.network.factories import PartnerFactory

from .conftest import redis_url

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("many-connections")]  # see pyproject's addopts


@pytest.fixture
def redis_behind_proxy(celery_worker, settings) -> Iterator[RedisProxy]:
    """This process reaches Redis (cache and broker) through a proxy the test can hang; the
    worker keeps its own direct connection."""
    from portal.celery import app

    with RedisProxy(redis_url()) as proxy:
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "core.cache.ResilientRedisCache",
                "LOCATION": proxy.url,
                "OPTIONS": django_settings.REDIS_CACHE_OPTIONS,
                "KEY_PREFIX": f"it-{celery_worker}",  # nothing shared with other runs on this Redis
            },
        }
        settings.CELERY_TASK_ALWAYS_EAGER = False  # what /healthz reads
        working = app.conf.broker_url
        point_celery_at(proxy.url)
        try:
            yield proxy
        finally:
            point_celery_at(working)


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_a_hung_redis_slows_nothing_and_mail_goes_out_once_it_answers(
    redis_behind_proxy, client, smtp_sink, settings, django_capture_on_commit_callbacks,
):
    settings.RATELIMIT_ENABLED = False
    proxy = redis_behind_proxy
    cache = caches["default"]
    partner = PartnerFactory(name="Kranj City Library")
    session = SessionFactory(capacity=5)
    assert "Kranj City Library" in client.get("/partners/").content.decode()  # now cached in Redis
    assert cache.shared and not cache.served_locally, "Redis answers through the proxy"

    proxy.hang()
    with django_capture_on_commit_callbacks(execute=True):  # an edit while Redis is hung
        partner.name = "Kranj Public Library"
        partner.save()
    with django_capture_on_commit_callbacks(execute=True):
        response, elapsed = timed(lambda: client.post(session.event.get_absolute_url(), {
            "session": session.pk, "name": "Ana Novak", "email": "ana@example.org", "affiliation": "UL",
            "consent": "on",
        }))
    assert response.status_code == 302, "the visitor's registration must succeed while Redis is hung"
    assert elapsed < 2, f"the registration took {elapsed:.2f} s"
    assert Registration.objects.filter(email="ana@example.org").exists()
    assert OutgoingEmail.objects.filter(to="ana@example.org", status=OutgoingEmail.Status.QUEUED).exists()

    pages, elapsed = timed(lambda: [client.get(url) for url in ("/", "/partners/", "/healthz") * 4])
    assert [page.status_code for page in pages] == [200] * 12
    assert elapsed < 2, f"12 requests took {elapsed:.2f} s"
    health = json.loads(client.get("/healthz").content)
    assert (health["cache"], health["broker"]) == ("error", "error")
    assert smtp_sink.messages == []

    proxy.resume()  # Redis answers again, at the same address
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and not smtp_sink.messages:
        tasks.sweep(older_than=timedelta(0))  # beat's sweep, every minute in production
        time.sleep(0.5)
    messages = smtp_sink.wait_for(1)
    assert [m["To"] for m in messages] == ["ana@example.org"]
    health = json.loads(client.get("/healthz").content)
    assert (health["cache"], health["broker"]) == ("ok", "ok")
    html = client.get("/partners/").content.decode()
    assert "Kranj Public Library" in html, "the edit's version, raised while Redis was hung, is raised in Redis too"
    assert cache.shared and not cache.served_locally, "pages are cached in Redis again"
