"""A crawl of every public page, feed and JSON endpoint finds no join link, meeting ID or passcode."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

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


def test_crawl_finds_no_meeting_secrets(client):
    webinar = WebinarFactory()
    session = SessionFactory(event=webinar.event)
    MeetingFactory(session=session)
    RegistrationFactory(session=session)
    hybrid = EventFactory(mode=Event.Mode.HYBRID)
    MeetingFactory(session=SessionFactory(event=hybrid))

    start = [
        reverse("events:event_list"),
        reverse("events:event_list") + "?when=past",
        reverse("events:calendar_feed"),
        reverse("events:api_events"),
        reverse("webinars:webinar_list"),
        reverse("webinars:registered", kwargs={"slug": webinar.event.slug}),
        "/sl" + reverse("webinars:webinar_list"),
    ]
    seen: set[str] = set()
    queue = list(start)
    while queue and len(seen) < 80:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for secret in SECRETS:
            assert secret not in body, (url, secret)
        for link in re.findall(r'href="(/(?:sl/)?(?:events|webinars|api)/[^"#?]*)"', body):
            if link not in seen and not link.endswith("/registration/"):
                queue.append(link)
    assert webinar.get_absolute_url() in seen and hybrid.get_absolute_url() in seen
