"""Public pages are cached for anonymous visitors, made stale after the commit of a change in a
content area they show (and only then), never cached with a CSRF token or for logged-in users,
and Redis being down never breaks a page."""

from __future__ import annotations

import time

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import cache as core_cache
from core.cache import ContentArea, ResilientRedisCache, bump_content_area, content_versions
from tests.events.factories import RegistrationFactory, SessionFactory
from tests.hung_redis import RedisProxy
from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def cached_page_keys() -> list[str]:
    return [key for key in cache._cache if "portal:page:" in key]  # LocMemCache's own store


def test_second_anonymous_visit_is_served_without_queries(client, django_assert_num_queries):
    PartnerFactory(name="Kranj City Library")
    first = client.get("/partners/")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get("/partners/")
    assert second.content == first.content
    assert second["Content-Security-Policy"], "middleware still runs on cached pages"


def test_a_change_shows_as_soon_as_it_is_committed(client, django_capture_on_commit_callbacks):
    partner = PartnerFactory(name="Kranj City Library")
    assert "Kranj City Library" in client.get("/partners/").content.decode()
    before = content_versions([ContentArea.DIRECTORY])
    with django_capture_on_commit_callbacks(execute=True):
        partner.name = "Kranj Public Library"
        partner.save()
    assert content_versions([ContentArea.DIRECTORY]) != before
    html = client.get("/partners/").content.decode()
    assert "Kranj Public Library" in html and "Kranj City Library" not in html


def test_each_language_and_query_is_its_own_page(client):
    PartnerFactory(name="Kranj City Library")
    english = client.get("/partners/?q=kranj").content.decode()
    slovene = client.get("/sl/partners/?q=kranj").content.decode()
    assert '<html lang="en">' in english and '<html lang="sl">' in slovene
    assert len(cached_page_keys()) == 2


def test_pages_with_a_form_token_are_not_cached(client):
    response = client.get("/join/")
    assert response.status_code == 200 and "csrfmiddlewaretoken" in response.content.decode()
    assert cached_page_keys() == []


def test_logged_in_coordinators_are_not_served_cached_pages(client, django_user_model):
    client.get("/partners/")
    user = django_user_model.objects.create_user(username="c", email="c@example.org", password="x" * 12)
    client.force_login(user)
    client.get("/partners/")
    assert len(cached_page_keys()) == 1, "the logged-in visit neither read nor wrote the anonymous page"


def test_resilient_cache_answers_from_this_processs_memory_while_redis_is_down(redis_down):
    """Not misses: a working cache (allauth's rate limits lock with ``add``), this process's own."""
    assert isinstance(redis_down, ResilientRedisCache)
    assert redis_down.get("anything") is None
    assert redis_down.set("anything", 1) is None
    assert redis_down.get("anything") == 1
    assert redis_down.get_many(["anything", "b"]) == {"anything": 1}
    assert redis_down.add("x", 1) is True and redis_down.add("x", 2) is False
    assert redis_down.incr("x") == 2
    with pytest.raises(ValueError):
        redis_down.incr("missing")  # the cache API, as with Redis
    assert not redis_down.shared
    redis_down.clear()
    assert redis_down.get("anything") is None


def test_an_edit_while_redis_is_down_is_not_hidden_by_a_cached_page(client, redis_down, django_capture_on_commit_callbacks):
    """While Redis is unreachable no page is kept: another process's edit could not reach this
    process's memory. (That the version raised meanwhile is raised in Redis once it answers is
    shown below and against a real Redis in tests/integration/test_redis_hung.py.)"""
    partner = PartnerFactory(name="Kranj City Library")
    assert "Kranj City Library" in client.get("/partners/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        partner.name = "Kranj Public Library"
        partner.save()
    assert "Kranj Public Library" in client.get("/partners/").content.decode()
    assert not [key for key in redis_down._fallback._cache if "portal:page:" in key]


@pytest.fixture
def redis_that_hangs(settings, private_redis):
    """The default cache is ``ResilientRedisCache`` on a real Redis reached through a proxy the
    test can hang and resume (breaker interval 0.2 s); nothing is left pending afterwards."""
    core_cache._unshared_bumps.clear()
    with RedisProxy(private_redis) as proxy:
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "core.cache.ResilientRedisCache",
                "LOCATION": proxy.url,
                "OPTIONS": {**django_settings.REDIS_CACHE_OPTIONS, "BREAKER_INTERVAL": 0.2},
            },
        }
        yield proxy
    core_cache._unshared_bumps.clear()


def test_a_version_raised_while_redis_hangs_is_raised_in_redis_by_the_next_cache_call(private_redis, redis_that_hangs):
    """A worker saves a change while Redis hangs, so the bump reaches only its own memory. Its
    next cache call that Redis answers (here a lock, as allauth takes one; no page is served by
    this process) raises the version in Redis, so no other process keeps serving the old pages."""
    shared = redis.Redis.from_url(private_redis)
    key = caches["default"].make_and_validate_key(core_cache._version_key(ContentArea.DIRECTORY))
    (before,) = content_versions([ContentArea.DIRECTORY])
    assert int(shared.get(key)) == before

    redis_that_hangs.hang()
    bump_content_area(ContentArea.DIRECTORY)  # what the worker's on_commit does
    assert int(shared.get(key)) == before, "Redis was hung: the raise reached this process only"

    redis_that_hangs.resume()
    time.sleep(0.2)  # the breaker's interval
    assert caches["default"].add("some-lock", 1, 10) is True
    assert int(shared.get(key)) == before + 1, "the raise made while Redis hung never reached Redis"
    assert not caches["default"].served_locally and not core_cache._unshared_bumps


def test_pages_work_while_redis_is_down(client, redis_down):
    PartnerFactory(name="Kranj City Library")
    response = client.get("/partners/")
    assert response.status_code == 200
    assert "Kranj City Library" in response.content.decode()


def test_erasing_personal_data_leaves_no_cached_copy(client, django_capture_on_commit_callbacks):
    from portal import privacy

    partner = PartnerFactory(name="Kranj City Library", email="ana.novak@example.org")
    assert "ana.novak@example.org" in client.get(partner.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        privacy.erase_personal_data(email="ana.novak@example.org")
    assert "ana.novak@example.org" not in client.get(partner.get_absolute_url()).content.decode()


def test_publishing_in_the_admin_shows_at_once(client, rf, django_capture_on_commit_callbacks):
    from django.contrib.admin.sites import site

    from network.admin import PartnerAdmin
    from network.models import Partner

    partner = PartnerFactory(name="Hidden Society", status=Partner.Status.PENDING)
    assert "Hidden Society" not in client.get("/partners/").content.decode()
    request = rf.post("/admin/")
    model_admin = PartnerAdmin(Partner, site)
    model_admin.message_user = lambda *args, **kwargs: None
    with django_capture_on_commit_callbacks(execute=True):
        model_admin.publish(request, Partner.objects.filter(pk=partner.pk))
    assert "Hidden Society" in client.get("/partners/").content.decode()


def test_the_version_is_raised_after_the_commit_not_before(client, django_capture_on_commit_callbacks):
    """Until the commit other visitors still read the old rows, so the cached page stays; once
    it is committed, the next visit renders the new rows."""
    partner = PartnerFactory(name="Kranj City Library")
    assert "Kranj City Library" in client.get("/partners/").content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        partner.name = "Kranj Public Library"
        partner.save()
    assert "Kranj City Library" in client.get("/partners/").content.decode(), "bumped before the commit"
    assert callbacks, "nothing was scheduled for the commit"
    for callback in callbacks:
        callback()
    html = client.get("/partners/").content.decode()
    assert "Kranj Public Library" in html and "Kranj City Library" not in html


def test_a_rolled_back_change_raises_no_version(django_capture_on_commit_callbacks):
    from django.db import transaction

    partner = PartnerFactory(name="Kranj City Library")
    before = content_versions([ContentArea.DIRECTORY])
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            partner.name = "Kranj Public Library"
            partner.save()
            raise RuntimeError("the save is rolled back")
    assert content_versions([ContentArea.DIRECTORY]) == before


def test_a_registration_leaves_every_page_without_seats_cached(client, django_capture_on_commit_callbacks):
    """A registration raises only the seats area (``Registration.content_area``): the pages
    that show no seat counts — home, partners, a partner's page, news — stay cached."""
    from portal.models import NewsItem

    partner = PartnerFactory(name="Kranj City Library")
    NewsItem.objects.create(title="Network meeting", slug="network-meeting", body="We met.")
    session = SessionFactory()
    session.event.organisers.add(partner)
    urls = ("/", "/partners/", partner.get_absolute_url(), "/news/")
    for url in urls:
        assert client.get(url).status_code == 200
    cached = set(cached_page_keys())
    assert len(cached) == len(urls)
    others = [area for area in ContentArea if area != ContentArea.SEATS]
    versions, seats = content_versions(others), content_versions([ContentArea.SEATS])
    with django_capture_on_commit_callbacks(execute=True):
        RegistrationFactory(session=session)
    assert content_versions(others) == versions
    core_cache.forget_local()  # seats may lag by a second in this process too (LAGGING_AREAS)
    assert content_versions([ContentArea.SEATS]) != seats
    with CaptureQueriesContext(connection) as queries:
        for url in urls:
            assert client.get(url).status_code == 200
    assert len(queries) == 0, "a cached page was rendered again"


def test_registrations_close_together_raise_their_seats_once_after_the_response(settings, django_capture_on_commit_callbacks):
    """Seats (a LAGGING_AREA) are raised by the process's hand-over a moment after the commit,
    those of several registrations together; any other area at the commit, in the request."""
    settings.HANDOVER_MS = 60_000  # the thread waits: the gathered raises are made by flush()
    session = SessionFactory()
    seats = [ContentArea.SEATS]
    before = content_versions(seats)
    with django_capture_on_commit_callbacks(execute=True):
        RegistrationFactory(session=session)
    with django_capture_on_commit_callbacks(execute=True):
        RegistrationFactory(session=session)
    core_cache.forget_local()
    assert content_versions(seats) == before, "the request does not wait for the raise"
    assert core_cache._lagging_raises.pending() == 4  # the area and the event's part of it, twice
    events = content_versions([ContentArea.EVENTS])
    with django_capture_on_commit_callbacks(execute=True):
        core_cache.bump_after_commit(ContentArea.EVENTS)
    assert content_versions([ContentArea.EVENTS]) != events, "other areas are raised at the commit"
    core_cache._lagging_raises.flush()  # what the thread does when its moment has come
    core_cache.forget_local()
    assert content_versions(seats) == (before[0] + 1,), "raised once for both registrations"


def test_seat_versions_are_trusted_less_long_by_the_hand_overs_delay(settings):
    """A seat raise waits up to HANDOVER_MS in the hand-over: other processes trust a seats
    version that much less long, so seat counts still show within LOCAL_SECONDS."""
    settings.HANDOVER_MS = 200
    seats = core_cache._version_key(core_cache.scoped(ContentArea.SEATS, "event:soil"))
    assert core_cache._remember_version_for(seats) == pytest.approx(core_cache.LOCAL_SECONDS - 0.2)
    assert core_cache._remember_version_for(core_cache._version_key(ContentArea.NEWS)) == core_cache.LOCAL_SECONDS


def test_an_unknown_content_area_is_refused():
    from core.cache import cached_public_page

    with pytest.raises(ValueError):
        cached_public_page(areas=["partners"])


def test_unknown_or_long_query_parameters_are_not_cached(client):
    PartnerFactory(name="Kranj City Library")
    assert client.get("/partners/?utm_source=x1").status_code == 200
    assert client.get("/partners/?q=" + "k" * 300).status_code == 200
    assert cached_page_keys() == []
    client.get("/partners/?q=kranj&page=1")
    assert len(cached_page_keys()) == 1


def test_several_areas_are_raised_in_one_round_trip(private_redis, redis_that_hangs):
    """A registration raises the seats area and its event's part of it: one pipeline, each
    increment atomic, a version never set before starting from a fresh value."""
    shared = redis.Redis.from_url(private_redis)
    backend = caches["default"]
    seats, part = ContentArea.SEATS, core_cache.scoped(ContentArea.SEATS, "event:never-seen")
    (before,) = content_versions([seats])
    calls = []
    real_pipeline = redis.Redis.pipeline

    def counting_pipeline(self, *args, **kwargs):
        calls.append(args)
        return real_pipeline(self, *args, **kwargs)

    redis.Redis.pipeline = counting_pipeline
    try:
        core_cache.bump_content_areas([seats, part])
    finally:
        redis.Redis.pipeline = real_pipeline
    assert len(calls) == 1
    assert int(shared.get(backend.make_and_validate_key(core_cache._version_key(seats)))) == before + 1
    fresh = int(shared.get(backend.make_and_validate_key(core_cache._version_key(part))))
    assert fresh > time.time_ns() - 60 * 10**9, "a missing version starts from a fresh value"
    core_cache.forget_local()
    assert content_versions([seats, part]) == (before + 1, fresh)
