"""Registration emails in the registrant's language (issue 11, item 6): confirmed, waitlisted,
promoted, cancelled, session moved, session cancelled — subject, sender, the event's title and
venue in that language (the other one, marked, where it has none), links to that language's
pages and a calendar file that names the event in it, whatever language the admin or request
that causes the message is in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import translation
from icalendar import Calendar

from events import services
from tests.outbox.test_email_language import OTHER, assert_fallback_marked, assert_in_language, delivered, html_part

from .factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db

TITLE = {"en": "Soil sampling workshop", "sl": "Delavnica vzorčenja tal"}
VENUE = {"en": "Central Technical Library, reading room", "sl": "Centralna tehniška knjižnica, čitalnica"}
SUBJECT = {
    "events/registration_confirmed": {"en": "Registration confirmed: {}", "sl": "Prijava potrjena: {}"},
    "events/registration_waitlisted": {"en": "You are on the waiting list: {}", "sl": "Na čakalnem seznamu ste: {}"},
    "events/registration_promoted": {"en": "A seat is yours: {}", "sl": "Mesto je vaše: {}"},
    "events/registration_cancelled": {"en": "Registration cancelled: {}", "sl": "Prijava odpovedana: {}"},
    "events/session_changed": {"en": "New time: {}", "sl": "Nov čas: {}"},
    "events/session_cancelled": {"en": "Cancelled: {}", "sl": "Odpovedano: {}"},
}
GREETING = {"en": "Dear Ana,", "sl": "Pozdravljeni, Ana!"}


def event_in(*languages: str):
    """A published in-person event whose title and venue are written in ``languages`` only."""
    texts = {}
    for language in ("en", "sl"):
        texts[f"title_{language}"] = TITLE[language] if language in languages else ""
        texts[f"venue_{language}"] = VENUE[language] if language in languages else ""
    return EventFactory(mode="in_person", **texts)


def every_registration_email(event, language: str, captured) -> None:
    """Cause each registration email once, to registrants of ``language``: they register on
    their language's pages; a coordinator in the other language does the rest in the admin."""
    session = SessionFactory(event=event, capacity=1)
    with captured(execute=True), translation.override(language):
        first = services.register(session=session, name="Ana", email="first@example.org", consent_text="ok")
        services.register(session=session, name="Ana", email="second@example.org", consent_text="ok")
    with translation.override(OTHER[language]):
        with captured(execute=True):
            services.cancel_registration(registration=first.registration)  # cancelled; second promoted
        with captured(execute=True):
            start = session.start + timedelta(days=1)
            services.move_session(session=session, start=start, end=start + timedelta(hours=2))
        with captured(execute=True):
            services.cancel_session(session=session)


def calendar_event(message):
    ics = next(content for name, content, _mimetype in message.attachments if name == "invite.ics")
    return next(c for c in Calendar.from_ical(ics).walk("VEVENT"))


@pytest.mark.parametrize("language", ["en", "sl"])
def test_every_registration_email_is_in_the_registrants_language(
    language, mailoutbox, django_capture_on_commit_callbacks
):
    every_registration_email(event_in("en", "sl"), language, django_capture_on_commit_callbacks)
    for template, subjects in SUBJECT.items():
        message = delivered(mailoutbox, template)
        assert message.subject == subjects[language].format(TITLE[language]), template
        assert_in_language(message, language)
        for part in (message.body, html_part(message)):
            assert GREETING[language] in part and TITLE[language] in part and VENUE[language] in part, template
            assert TITLE[OTHER[language]] not in part and VENUE[OTHER[language]] not in part, template
        assert 'lang="' not in html_part(message).split("<body>", 1)[1], "nothing is a fallback"
        if message.attachments:
            item = calendar_event(message)
            assert str(item["SUMMARY"]) == TITLE[language] and str(item["LOCATION"]) == VENUE[language]
            url = str(item["URL"])
            assert url.startswith(settings.SITE_URL + "/sl/events/") == (language == "sl"), url


@pytest.mark.parametrize("language", ["en", "sl"])
def test_an_event_written_in_the_other_language_only_is_shown_marked(
    language, mailoutbox, django_capture_on_commit_callbacks
):
    other = OTHER[language]
    every_registration_email(event_in(other), language, django_capture_on_commit_callbacks)
    for template, subjects in SUBJECT.items():
        message = delivered(mailoutbox, template)
        assert message.subject == subjects[language].format(TITLE[other]), template
        assert_in_language(message, language)
        assert_fallback_marked(message, TITLE[other], other)
        assert_fallback_marked(message, VENUE[other], other)
        assert GREETING[language] in message.body


def test_the_admins_resend_is_in_the_registrants_language(mailoutbox, django_capture_on_commit_callbacks):
    session = SessionFactory(event=event_in("en", "sl"))
    with translation.override("sl"):
        registration = services.register(session=session, name="Ana", email="ana@example.org", consent_text="ok")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        services.send_again(registration=registration.registration, ignore_interval=True)
    (message,) = mailoutbox
    assert message.subject == f"Prijava potrjena: {TITLE['sl']}"
    assert_in_language(message, "sl")
    assert f"{settings.SITE_URL}/sl/events/{session.event.slug}/" in message.body
