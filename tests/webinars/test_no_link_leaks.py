"""A crawl of every public page, feed and JSON endpoint finds no join link, meeting ID or passcode
— nor do the own registration page's addresses fetched as another visitor, without the signed
token or with a tampered one. Only the own page at the real signed link shows them, privately."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from events import services
from events.models import Event
from tests.events.factories import (
    SECRET_PASSCODE,
    EventFactory,
    MeetingFactory,
    RegistrationFactory,
    SessionFactory,
    WebinarFactory,
)

pytestmark = pytest.mark.django_db

SECRETS = ("zoom.example", "987654321", "987 654 321", SECRET_PASSCODE, "SECRETPWD")
# Addresses a stranger may try, answered by a page that says the link does not work.
NOT_FOUND_OK = re.compile(r"^(/sl)?/events/registration/")


def _tampered(token: str) -> str:
    return token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")


def _own_page_guesses(token: str) -> list[str]:
    with translation.override("en"):
        paths = [
            "/events/registration/",
            reverse("events:request_link"),
            reverse("events:manage_registration", kwargs={"token": _tampered(token)}),
            reverse("events:manage_registration", kwargs={"token": token.split(":")[0]}),
            reverse("events:cancel_registration", kwargs={"token": _tampered(token)}),
            reverse("events:registration_calendar", kwargs={"token": _tampered(token)}),
        ]
    return paths + ["/sl" + path for path in paths]


def test_crawl_finds_no_meeting_secrets(client):
    webinar = WebinarFactory()
    session = SessionFactory(event=webinar.event)
    MeetingFactory(session=session)
    registration = RegistrationFactory(session=session)
    hybrid = EventFactory(mode=Event.Mode.HYBRID)
    MeetingFactory(session=SessionFactory(event=hybrid))
    token = services.manage_token(registration)

    start = [
        reverse("events:event_list"),
        reverse("events:event_list") + "?when=past",
        reverse("events:calendar_feed"),
        reverse("events:api_events"),
        reverse("webinars:webinar_list"),
        f"/webinars/{webinar.event.slug}/",
        f"/events/{webinar.event.slug}/registered/",
        "/sl" + reverse("webinars:webinar_list"),
        *_own_page_guesses(token),
    ]
    seen: set[str] = set()
    queue = list(start)
    while queue and len(seen) < 100:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        assert response.status_code == 200 or (response.status_code == 404 and NOT_FOUND_OK.match(url)), url
        body = response.content.decode()
        for secret in SECRETS:
            assert secret not in body, (url, secret)
        for link in re.findall(r'href="(/(?:sl/)?(?:events|webinars|api)/[^"#?]*)"', body):
            if link not in seen and not link.endswith("/registration/"):
                queue.append(link)
    assert webinar.event.get_absolute_url() in seen and hybrid.get_absolute_url() in seen

    # The real signed link shows the join link — to its holder, privately.
    own = client.get(reverse("events:manage_registration", kwargs={"token": token}))
    assert "987 654 321" in own.content.decode() and SECRET_PASSCODE in own.content.decode()
    assert own["Cache-Control"] == "private, no-store" and own["Referrer-Policy"] == "no-referrer"


def test_the_public_calendar_feed_never_carries_the_join_link_the_personal_one_does(client):
    session = SessionFactory(event=WebinarFactory().event)
    MeetingFactory(session=session)
    registration = RegistrationFactory(session=session)
    feed = client.get(reverse("events:calendar_feed")).content.decode()
    assert not any(secret in feed for secret in SECRETS)
    personal = client.get(reverse("events:registration_calendar", kwargs={"token": services.manage_token(registration)}))
    assert "zoom.example" in personal.content.decode()
