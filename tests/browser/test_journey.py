"""The participant's journey in Chromium (issue 12): register → the result page names the date
and "confirmed" → the email's link opens the own page with the join link → switch to another
date → cancel (with a confirmation step) → the seat goes to the first on the waiting list. The
result page, the own page and a broken link's page have zero axe violations in both languages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JOIN_URL = "https://zoom.example/j/555000111?pwd=JOURNEY"
OTHER_JOIN_URL = "https://zoom.example/j/555000222?pwd=SECOND"


def _dates():
    from django.utils import timezone

    from tests.events.factories import MeetingFactory, SessionFactory, WebinarFactory

    webinar = WebinarFactory(event__title="Counting birds together", event__slug="counting-birds")
    start = (timezone.now() + timedelta(days=14)).replace(hour=9, minute=0, second=0, microsecond=0)
    first = SessionFactory(event=webinar.event, capacity=5, start=start)
    second = SessionFactory(event=webinar.event, capacity=1, start=start + timedelta(days=7))
    MeetingFactory(session=first, join_url=JOIN_URL, passcode="BIRD-1")
    MeetingFactory(session=second, join_url=OTHER_JOIN_URL, passcode="BIRD-2")
    return webinar.event, first, second


def _own_page_path(email: str) -> str:
    from outbox.models import OutgoingEmail

    body = OutgoingEmail.objects.filter(to=email).order_by("-pk").values_list("body_text", flat=True).first()
    match = re.search(r"https?://[^/\s]+(/(?:sl/)?events/registration/[^/\s]+/)", body or "")
    assert match, body
    return match.group(1)


def test_register_switch_and_cancel_in_the_browser(browser_page, assert_no_axe_violations, settings):
    from events import services
    from events.models import Registration

    settings.RATELIMIT_ENABLED = False
    event, first, second = _dates()
    page = browser_page

    # Register on the event's page (the one canonical page of the webinar).
    page.goto(f"/webinars/{event.slug}/")
    assert page.url.endswith(f"/events/{event.slug}/")
    page.check(f"input[name=session][value='{first.pk}']")
    page.fill("#id_name", "Ana Novak")
    page.fill("#id_email", "ana@example.org")
    page.check("#id_consent")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(re.compile(r"/registered/$"))
    main = page.locator("main").inner_text()
    assert "You are registered" in main and "is confirmed" in main
    assert first.local_start().strftime("%-d %B %Y") in main
    assert JOIN_URL not in page.content()
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page)

    # The email's link opens the own page, with the join link.
    own_page = _own_page_path("ana@example.org")
    page.goto(own_page)
    assert page.get_by_role("link", name="Join the session").get_attribute("href") == JOIN_URL
    assert "BIRD-1" in page.locator("main").inner_text()
    assert_no_axe_violations(page)

    # Switch to the second date.
    page.check(f"input[name=session][value='{second.pk}']")
    page.get_by_role("button", name="Switch to this date").click()
    page.wait_for_load_state()
    assert "your seat on the new date is confirmed" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Join the session").get_attribute("href") == OTHER_JOIN_URL
    assert second.local_start().strftime("%-d %B %Y") in page.locator("main").inner_text()

    # Someone waits for the only seat of the second date.
    waiting = services.register(session=second, name="Ben", email="ben@example.org", consent_text="ok").registration
    assert waiting.status == Registration.Status.WAITLISTED

    # Cancel, with a confirmation step.
    page.get_by_role("link", name="Cancel my registration").click()
    page.wait_for_url(re.compile(r"/cancel/$"))
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Yes, cancel my registration").click()
    page.wait_for_url(re.compile(r"/events/registration/[^/]+/$"))
    assert "This registration is cancelled." in page.locator("main").inner_text()
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED, "the seat went to the first on the waiting list"


def test_the_journeys_pages_are_accessible_in_both_languages(browser_page, assert_no_axe_violations):
    from django.utils import translation

    from events import services
    from tests.events.factories import RegistrationFactory

    event, first, second = _dates()
    RegistrationFactory(session=second)  # the second date is full: its switch option says so
    waiting = RegistrationFactory(session=second, status="waitlisted", confirmed_at=None)
    registration = RegistrationFactory(session=first)
    page = browser_page
    for prefix, lang in (("", "en"), ("/sl", "sl")):
        with translation.override("en"):
            own = services.manage_token(registration)
        paths = [
            f"{prefix}/events/registration/{own}/",
            f"{prefix}/events/registration/{own}/cancel/",
            f"{prefix}/events/registration/{services.manage_token(waiting)}/",
            f"{prefix}/events/registration/not-a-real-token/",
            f"{prefix}/events/registration/link/",
            f"{prefix}/events/{event.slug}/registered/",
        ]
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.status in (200, 404), path
            assert page.locator("html").get_attribute("lang") == lang
            assert page.locator("h1").count() == 1, path
            assert_no_axe_violations(page)
        # The result page after a real registration, in this language.
        page.goto(f"{prefix}/events/{event.slug}/")
        page.check(f"input[name=session][value='{second.pk}']")
        page.fill("#id_name", "Cene")
        page.fill("#id_email", f"cene-{lang}@example.org")
        page.check("#id_consent")
        page.locator("form.stacked button[type=submit]").click()
        page.wait_for_url(re.compile(r"/registered/$"))
        assert page.locator("h1").count() == 1
        assert_no_axe_violations(page)
