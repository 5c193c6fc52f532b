"""The event page with its registration form is cached, with a fresh CSRF token per visitor and
its seats filled in per request (``events.seats``), and a registration makes stale only what it
changes: the lists of seats, not that event's page, the partners, the news or other events' pages."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core.cache import LOCAL_SECONDS, bump_content_area, forget_local
from events import seats
from events.models import RegistrationQuestion, event_seats_scope
from network.models import Partner
from portal.models import NewsItem
from tests.hung_redis import closed_port_url
from tests.network.factories import PartnerFactory

from .factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _token(html: str) -> str:
    (token,) = set(TOKEN.findall(html))
    return token


def _form(session, token: str, email: str) -> dict:
    return {"csrfmiddlewaretoken": token, "session": session.pk, "name": "Ana Novak", "email": email,
            "affiliation": "UL", "consent": "on"}


def test_each_visitor_gets_a_token_of_their_own_from_the_cached_page():
    session = SessionFactory(capacity=50, event__summary="Before.")
    url = session.event.get_absolute_url()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get(url)
    # a change that raises no content area: the second visitor's page shows it only if re-rendered
    type(session.event).objects.filter(pk=session.event.pk).update(summary="After.")
    page_two = second.get(url)
    assert "Before." in page_two.content.decode(), "the second visitor is served the cached page"
    one, two = _token(page_one.content.decode()), _token(page_two.content.decode())
    assert one != two and "csrf-token-of-this-visitor" not in page_two.content.decode()
    assert page_two.cookies["csrftoken"].value != page_one.cookies["csrftoken"].value
    # someone else's token is refused; one's own is accepted
    assert second.post(url, _form(session, one, "ana@example.org")).status_code == 403
    assert second.post(url, _form(session, two, "ana@example.org")).status_code == 302


def test_a_registration_leaves_partner_and_news_pages_and_other_events_cached(
    client, django_capture_on_commit_callbacks
):
    partner = PartnerFactory(name="Central Library", description="Before.")
    item = NewsItem.objects.create(title="Network news", slug="network-news", category="Important",
                                   published_on="2026-11-01", summary="Before.", body="Before.")
    session, other = SessionFactory(capacity=50), SessionFactory(capacity=50, event__summary="Before.")
    pages = [partner.get_absolute_url(), item.get_absolute_url(), other.event.get_absolute_url()]
    for url in pages:
        assert "Before." in client.get(url).content.decode()
    # Changes that raise no content area: a page that is re-rendered shows them, a cached one does not.
    Partner.objects.filter(pk=partner.pk).update(description="After.")
    NewsItem.objects.filter(pk=item.pk).update(summary="After.", body="After.")
    type(other.event).objects.filter(pk=other.event.pk).update(summary="After.")
    page = client.get(session.event.get_absolute_url()).content.decode()
    assert "50 seats left" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(session.event.get_absolute_url(), _form(session, "", "ana@example.org"))
    assert response.status_code == 302
    # Seat counts may lag by up to a second (core.cache.LAGGING_AREAS), in this process too:
    # what it remembers expires then, and the page shows the new count.
    forget_local()
    assert "49 seats left" in client.get(session.event.get_absolute_url()).content.decode(), "its seats are fresh"
    for url in pages:
        assert "After." not in client.get(url).content.decode(), f"{url} was made stale by a registration"


def test_a_cached_page_leaves_cross_site_posts_refused():
    session = SessionFactory(capacity=50)
    url = session.event.get_absolute_url()
    Client().get(url)  # the page is now in the cache
    visitor = Client(enforce_csrf_checks=True)
    token = _token(visitor.get(url).content.decode())
    assert visitor.post(url, _form(session, "", "ana@example.org")).status_code == 403, "no token"
    forged = visitor.post(url, _form(session, token, "ana@example.org"), headers={"Origin": "https://elsewhere.example"})
    assert forged.status_code == 403, "another site's page posting with the visitor's cookie"
    assert not session.registrations.exists()
    assert visitor.post(url, _form(session, token, "ana@example.org")).status_code == 302


def _served(client, url: str) -> tuple[str, list[str]]:
    """The page and the SQL it cost."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in queries]


@pytest.mark.parametrize(
    ("prefix", "left", "full"), [("", "Few seats left: only {}", "· full"), ("/sl", "Le še nekaj prostih mest: {}", "· zasedeno")]
)
def test_a_registration_changes_the_seats_of_the_cached_event_page_without_rendering_it_again(
    client, django_capture_on_commit_callbacks, prefix, left, full
):
    session = SessionFactory(capacity=2, has_waiting_list=False, event__summary="Before.")
    event = session.event
    url = prefix + event.get_absolute_url().removeprefix("/en")
    page, _ = _served(client, url)
    assert left.format(2) in page and full not in page
    # A change that raises no content area: the page shows it only if it is rendered again.
    type(event).objects.filter(pk=event.pk).update(summary="After.")
    for email in ("ana@example.org", "bor@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            assert Client().post(event.get_absolute_url(), _form(session, "", email)).status_code == 302
        forget_local()  # a second later, in this process too
        page, queries = _served(client, url)
        assert "Before." in page, "served from the cache, not rendered again"
        (counts,) = queries  # one query: the sessions with their counts
        assert 'FROM "events_session"' in counts and "COUNT(" in counts
        assert "<!--seats:" not in page
        if email.startswith("ana"):
            assert left.format(1) in page and full not in page
    # The date is full now: its seat line and its choice in the form say so.
    assert {"": 'seats-full">Full<', "/sl": 'seats-full">Zasedeno<'}[prefix] in page
    choice = re.search(r'<label for="id_session_0">.*?</label>', page, re.S)
    assert choice and full in choice[0]


def test_no_slot_reaches_a_visitor_and_none_can_be_written_into_the_content(client, settings):
    settings.RATELIMIT_ENABLED = False
    session = SessionFactory(capacity=50)
    slot = f"<!--seats:status:{session.pk}-->"
    event = session.event
    type(event).objects.filter(pk=event.pk).update(
        summary=f"A summary {slot}",
        description=f'Some text.\n\n{slot}\n\n<!--seats:full:{session.pk}-->\n\n[a link](https://example.org "{slot}")',
    )
    RegistrationQuestion.objects.create(event=event, label=f"Diet {slot}", help_text=f"Help {slot}")
    forget_local()
    url = event.get_absolute_url()
    fresh = client.get(url).content.decode()
    cached = client.get(url).content.decode()
    invalid = client.post(url, {"session": session.pk, "name": "", "email": "ana@example.org"}).content.decode()
    for page in (fresh, cached, invalid):
        assert "50 seats left" in page
        assert page.count("50 seats left") == 1, "the summary's and the description's copies are not filled"
        assert "<!--seats:" not in page
        assert "A summary &lt;!--seats:status:" in page
        assert "Diet &lt;!--seats:status:" in page and "Help &lt;!--seats:status:" in page


def test_each_language_is_filled_in_its_own_in_one_process(client):
    session = SessionFactory(capacity=3, has_waiting_list=False)
    url = session.event.get_absolute_url()
    english, slovenian, english_again = (client.get(path).content.decode() for path in (url, "/sl" + url, url))
    assert "Few seats left: only 3" in english and "Few seats left: only 3" in english_again
    assert "Le še nekaj prostih mest: 3" in slovenian and "Few seats left" not in slovenian


def test_what_fills_the_slots_changes_when_registration_closes():
    now = timezone.now()
    session = SessionFactory(capacity=50, registration_closes_at=now + timedelta(hours=1))
    counted = seats.counted(session.event.slug)
    line = b"status:%d" % session.pk
    with translation.override("en"):
        before = counted.fillings(now)[line].decode()
        after = counted.fillings(now + timedelta(hours=1, seconds=1))[line].decode()
        back = counted.fillings(now)[line].decode()  # a clock set back is not shown the later line
    assert "50 seats left" in before and "Registration closes" in before
    assert "Registration closed" in after and "50 seats left" not in after
    assert back == before


def test_a_refused_post_shows_the_seats_as_they_are_not_as_remembered(client, settings):
    settings.RATELIMIT_ENABLED = False
    session = SessionFactory(capacity=1, has_waiting_list=False)
    url = session.event.get_absolute_url()
    assert "Few seats left: only 1" in client.get(url).content.decode()  # remembered: one seat left
    RegistrationFactory(session=session)  # taken in another process a moment ago
    page = Client().post(url, _form(session, "", "bor@example.org")).content.decode()
    assert "This session is full." in page
    assert 'seats-full">Full<' in page and "Few seats left" not in page
    assert "· full" in re.search(r'<label for="id_session_0">.*?</label>', page, re.S)[0]


def test_a_cached_page_is_served_without_its_seats_while_the_database_is_unreachable_and_tried_after_a_pause(
    client, monkeypatch, caplog
):
    session = SessionFactory(capacity=50)
    url = session.event.get_absolute_url()
    assert "50 seats left" in client.get(url).content.decode()
    forget_local()  # the counts must be read again
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    tried: list[str] = []

    def hung(execute, sql, params, many, context):
        tried.append(sql)
        raise OperationalError("timeout expired")

    pause = seats.database_breaker().interval
    with connection.execute_wrapper(hung):
        response = client.get(url)
        attempts = len(tried)
        clock[0] += 0.9  # within the pause (at least a second): served without trying the database
        again = client.get(url)
    for page in (response, again):
        html = page.content.decode()
        assert page.status_code == 200 and 'name="csrfmiddlewaretoken"' in html
        assert "seats left" not in html and "<!--seats:" not in html
    assert attempts == 1 and len(tried) == attempts
    assert "unavailable" in caplog.text

    clock[0] += pause  # the pause is over: one page tries again, and the seats are back
    assert "50 seats left" in client.get(url).content.decode()


def test_the_pause_is_three_connection_timeouts_so_a_worker_waits_at_most_a_quarter_of_an_outage(monkeypatch):
    from django.conf import settings

    monkeypatch.setitem(settings.DATABASES["default"], "OPTIONS", {"connect_timeout": 5})  # PostgreSQL's here
    assert seats.database_breaker().interval == 15.0
    monkeypatch.setitem(settings.DATABASES["default"], "OPTIONS", {})  # no timeout (SQLite): a second
    assert seats.database_breaker().interval == 1.0


def test_while_the_database_is_unreachable_pages_whose_counts_are_remembered_keep_their_seats(client, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    remembered_one, unread_one = SessionFactory(capacity=40), SessionFactory(capacity=30)
    remembered_url, unread_url = remembered_one.event.get_absolute_url(), unread_one.event.get_absolute_url()
    assert "40 seats left" in client.get(remembered_url).content.decode()
    assert "30 seats left" in client.get(unread_url).content.decode()
    bump_content_area(event_seats_scope(unread_one.event.slug))  # a registration elsewhere: read again
    clock[0] += LOCAL_SECONDS + 0.1

    def unreachable(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(unreachable):
        assert "seats left" not in client.get(unread_url).content.decode()  # the breaker opens
        assert "40 seats left" in client.get(remembered_url).content.decode()  # no read needed: still exact


def test_a_page_rendered_while_redis_is_unreachable_reads_its_seats_once(client, settings):
    settings.RATELIMIT_ENABLED = False
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": closed_port_url(),
                    "OPTIONS": settings.REDIS_CACHE_OPTIONS},
    }
    session = SessionFactory(capacity=50)
    with CaptureQueriesContext(connection) as shown:
        page = client.get(session.event.get_absolute_url())
    assert "50 seats left" in page.content.decode()
    assert len([q for q in shown if 'FROM "events_session"' in q["sql"]]) == 1
