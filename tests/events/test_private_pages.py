"""The pages at the signed link (one's own registration page, its cancel step and calendar file,
a broken link's page) and the result page after registering: the join details stay available
while the session runs; every response of theirs — 403 and 429 included — is private and has no
Open Graph URL; their forms accept ``Origin: null`` only from this site; the token reaches no log
record and no cached page."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from core.ratelimit import RateLimited
from events import services
from events.models import Registration
from tests.events.factories import (
    SECRET_PASSCODE,
    EventFactory,
    MeetingFactory,
    RegistrationFactory,
    SessionFactory,
    WebinarFactory,
)

pytestmark = pytest.mark.django_db

SITE_URL = "https://znanost.example.si"
META = re.compile(r'<meta (?:name|property)="([^"]+)" content="([^"]*)">')
JOIN_SECRETS = ("zoom.example", "987654321", "987 654 321", SECRET_PASSCODE, "SECRETPWD")


@pytest.fixture(autouse=True)
def _limits_on(settings):
    settings.RATELIMIT_ENABLED = True
    settings.SITE_URL = SITE_URL


@pytest.fixture
def webinar_registration() -> Registration:
    webinar = WebinarFactory()
    session = SessionFactory(event=webinar.event, start=(timezone.now() + timedelta(days=3)).replace(microsecond=0))
    SessionFactory(event=webinar.event, start=session.start + timedelta(days=7))  # another date to switch to
    MeetingFactory(session=session)
    return RegistrationFactory(session=session, confirmation_sent_at=timezone.now() - timedelta(hours=1))


def _urls(registration: Registration) -> dict[str, str]:
    token = services.manage_token(registration)
    with translation.override("en"):
        return {
            name: reverse(f"events:{name}", kwargs={"token": token})
            for name in ("manage_registration", "cancel_registration", "registration_calendar")
        } | {"token": token}


def _head(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, content in META.findall(html.split("</head>", 1)[0]):
        found.setdefault(name, []).append(unescape(content))
    return found


def _assert_private(response, *, referrer_policy: str = "no-referrer") -> None:
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == referrer_policy
    assert response["X-Robots-Tag"] == "noindex"


def _assert_no_open_graph(response, token: str = "") -> None:
    head = response.content.decode().split("</head>", 1)[0]
    assert 'property="og:' not in head
    assert SITE_URL not in head
    if token:
        assert token not in head


# --- 1. The join link while the session runs ----------------------------------------------------


def test_the_join_details_stay_until_the_end_and_changes_stop_at_the_start(client, webinar_registration):
    registration = webinar_registration
    session = registration.session
    urls = _urls(registration)

    before = client.get(urls["manage_registration"]).content.decode()
    assert SECRET_PASSCODE in before and "Switch to another date" in before and "Cancel my registration" in before

    with time_machine.travel(session.start + timedelta(minutes=5), tick=False):
        page = client.get(urls["manage_registration"])
        html = page.content.decode()
        _assert_private(page)
        assert "zoom.example/j/987654321" in html and SECRET_PASSCODE in html, "the join link while it runs"
        assert urls["registration_calendar"] in html
        assert "This session has started, so the registration can no longer be changed." in html
        assert "Switch to another date" not in html and urls["cancel_registration"] not in html
        ics = client.get(urls["registration_calendar"])
        assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
        _assert_private(ics)
        # Neither switching nor cancelling goes through any more.
        other = session.event.sessions.exclude(pk=session.pk).get()
        assert client.post(urls["manage_registration"], {"action": "switch", "session": other.pk}).status_code == 200
        assert client.get(urls["cancel_registration"])["Location"] == urls["manage_registration"]
        assert client.post(urls["cancel_registration"])["Location"] == urls["manage_registration"]
        registration.refresh_from_db()
        assert registration.session_id == session.pk and registration.status == Registration.Status.CONFIRMED

    with time_machine.travel(session.end + timedelta(minutes=1), tick=False):
        html = client.get(urls["manage_registration"]).content.decode()
        assert SECRET_PASSCODE not in html and "zoom.example" not in html, "over: no join details"
        assert "This session has started or taken place" in html
        assert client.get(urls["registration_calendar"])["Location"] == urls["manage_registration"]


# --- 2. No token in a log record, nor in a cached page ------------------------------------------


def test_refused_requests_to_the_own_page_log_no_token(caplog, webinar_registration):
    urls = _urls(webinar_registration)
    token = urls["token"]
    caplog.set_level(logging.INFO)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(urls["manage_registration"], {"action": "resend"}).status_code == 403  # no CSRF cookie
    assert strict.post(urls["cancel_registration"]).status_code == 403
    client = Client()
    codes = [client.post(urls["manage_registration"], {"action": "nothing"}).status_code for _ in range(31)]
    assert codes[-1] == 429
    assert Client().get(f"/sl/events/registration/{token[:-4]}/").status_code == 404  # a broken link

    messages = [record.getMessage() for record in caplog.records]
    assert any(m.startswith("Forbidden (CSRF cookie not set.)") for m in messages), messages
    assert any(m.startswith("Too Many Requests") for m in messages), messages
    assert any("/events/registration/[redacted]/cancel/" in m for m in messages), "the rest of the path is kept"
    assert "Not Found: /sl/events/registration/[redacted]/" in messages
    for record in caplog.records:
        message = record.getMessage()
        assert token not in message and token[:-4] not in message, message
        assert token.split(":")[0] not in message, message


def test_no_cached_page_holds_a_token_or_a_join_link(client, webinar_registration):
    cache = caches["default"]
    if not isinstance(cache, LocMemCache):
        pytest.skip("scans the local-memory cache")
    registration = webinar_registration
    event = registration.session.event
    urls = _urls(registration)
    token = urls["token"]
    hybrid = EventFactory(mode="hybrid")
    MeetingFactory(session=SessionFactory(event=hybrid))
    with translation.override("en"):
        public = [
            reverse("portal:home"),
            reverse("events:event_list"),
            reverse("events:calendar_feed"),
            reverse("events:api_events"),
            reverse("webinars:webinar_list"),
            event.get_absolute_url(),
            hybrid.get_absolute_url(),
            reverse("events:registered", kwargs={"slug": event.slug}),
            reverse("events:request_link"),
        ]
    private = [urls["manage_registration"], urls["cancel_registration"], urls["registration_calendar"]]
    for prefix in ("", "/sl"):
        for path in public + private:
            assert client.get(prefix + path).status_code in (200, 302), prefix + path
            Client().get(prefix + path)  # another visitor, without the session
    assert client.get(urls["manage_registration"]).status_code == 200  # the own page was shown

    entries = list(cache._cache.items())  # noqa: SLF001 — the store itself is what is checked
    assert entries, "the public pages were cached"
    for key, value in entries:
        blob = key.encode() + bytes(value)
        for secret in (token, token.split(":")[0], *JOIN_SECRETS):
            assert secret.encode() not in blob, (key, secret)


# --- 3. Private headers on the error responses; no Open Graph URL -------------------------------


def test_429_answers_of_the_private_pages_are_private(client, webinar_registration, monkeypatch):
    urls = _urls(webinar_registration)
    for _ in range(30):
        client.post(urls["manage_registration"], {"action": "nothing"})
    limited = client.post(urls["manage_registration"], {"action": "nothing"})
    assert limited.status_code == 429
    _assert_private(limited)
    _assert_no_open_graph(limited, urls["token"])

    link_form = reverse("events:request_link")
    answers = [client.post(link_form, {"email": f"p{n}@example.org"}) for n in range(11)]
    assert answers[-1].status_code == 429
    _assert_private(answers[-1])
    _assert_no_open_graph(answers[-1])


def test_a_switch_over_its_limit_is_answered_privately(client, webinar_registration, monkeypatch):
    urls = _urls(webinar_registration)
    other = webinar_registration.session.event.sessions.exclude(pk=webinar_registration.session_id).get()

    def over_the_limit(**kwargs):
        raise RateLimited(retry_after=120)

    monkeypatch.setattr(services, "switch_registration", over_the_limit)
    response = client.post(urls["manage_registration"], {"action": "switch", "session": other.pk})
    assert response.status_code == 429 and response["Retry-After"] == "120"
    _assert_private(response)
    _assert_no_open_graph(response, urls["token"])


def test_the_private_pages_have_no_open_graph_url(client, webinar_registration):
    urls = _urls(webinar_registration)
    token = urls["token"]
    for prefix in ("", "/sl"):
        for path in (urls["manage_registration"], urls["cancel_registration"], f"/events/registration/{token[:-4]}/"):
            response = client.get(prefix + path)
            assert response.status_code in (200, 404)
            _assert_private(response)
            _assert_no_open_graph(response, token)
            assert _head(response.content.decode())["robots"] == ["noindex"]
    # A public page keeps its Open Graph tags.
    with translation.override("en"):
        public = webinar_registration.session.event.get_absolute_url()
    assert _head(client.get(public).content.decode())["og:url"] == [SITE_URL + public]


# --- 4. Origin: null only from this site; the result page without the exemption ---------------


def _csrf_token(browser: Client, url: str) -> str:
    html = browser.get(url).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_null_origin_passes_only_with_sec_fetch_site_same_origin(webinar_registration):
    url = _urls(webinar_registration)["manage_registration"]
    browser = Client(enforce_csrf_checks=True)
    token = _csrf_token(browser, url)
    data = {"action": "nothing", "csrfmiddlewaretoken": token}
    for site in ("cross-site", "same-site", "none"):
        refused = browser.post(url, data, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE=site)
        assert refused.status_code == 403, site
        _assert_private(refused)
    assert browser.post(url, data, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin").status_code == 200
    assert browser.post(url, data, HTTP_ORIGIN="null").status_code == 200, "a browser without Sec-Fetch-Site"
    without_token = browser.post(url, {"action": "nothing"}, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin")
    assert without_token.status_code == 403


def test_the_result_page_uses_same_origin_referrers_and_the_sites_own_csrf_check():
    event = EventFactory()
    SessionFactory(event=event)
    with translation.override("en"):
        url = reverse("events:registered", kwargs={"slug": event.slug})
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)
    _assert_private(page, referrer_policy="same-origin")
    _assert_no_open_graph(page)
    token = _csrf_token(browser, reverse("events:request_link"))  # the token of this browser's CSRF cookie
    data = {"action": "resend", "csrfmiddlewaretoken": token}
    assert browser.post(url, data, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin").status_code == 403
    assert browser.post(url, data, HTTP_ORIGIN="http://testserver").status_code == 302


# --- 5. One description per event page ------------------------------------------------------------


def test_an_event_page_has_one_description_for_search_and_previews(client):
    described = EventFactory(summary="Counting   birds\nin the Ljubljana marshes & meadows.")
    plain = EventFactory(summary="")
    for event in (described, plain):
        SessionFactory(event=event)
        with translation.override("en"):
            meta = _head(client.get(event.get_absolute_url()).content.decode())
        assert len(meta["description"]) == 1 and meta["og:description"] == meta["description"], event.slug
    with translation.override("en"):
        meta = _head(client.get(described.get_absolute_url()).content.decode())
    assert meta["description"] == ["Counting birds in the Ljubljana marshes & meadows."]
