"""Join-link and reminder emails in the registrant's language (issue 11, item 6): the reminders
are queued by a Celery worker, whose active language is the default one, and the join link by a
coordinator in the admin; both must still write to a Slovenian registrant in Slovenian, with the
event's Slovenian title (its English one, marked, where it has none) and links to /sl/ pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from events import services as events_services
from tests.events.factories import SECRET_URL, EventFactory, MeetingFactory, SessionFactory
from tests.outbox.test_email_language import OTHER, assert_fallback_marked, assert_in_language, delivered, html_part
from webinars import services, tasks

pytestmark = pytest.mark.django_db

TITLE = {"en": "Counting birds online", "sl": "Spletno štetje ptic"}
SUBJECT = {
    "webinars/join_link": {"en": "Your link to join: {}", "sl": "Vaša povezava za pridružitev: {}"},
    "webinars/reminder_24h": {"en": "Tomorrow: {}", "sl": "Jutri: {}"},
    "webinars/reminder_1h": {"en": "Starting in one hour: {}", "sl": "Začetek čez eno uro: {}"},
}
JOIN = {"en": "Join the online meeting", "sl": "Pridružite se spletnemu srečanju"}


def webinar_session(*languages: str, start=None):
    """An online session of a webinar whose title is written in ``languages`` only."""
    titles = {f"title_{code}": TITLE[code] if code in languages else "" for code in ("en", "sl")}
    start = start or timezone.now() + timedelta(days=3)
    return SessionFactory(event=EventFactory(kind="webinar", **titles), start=start, end=start + timedelta(hours=1))


def every_webinar_email(session, language: str, captured) -> None:
    """The registrant registers on their language's pages two days ahead; a coordinator in the
    other language adds the link; the worker (in the other language too) sends the reminders."""
    with time_machine.travel(session.start - timedelta(days=2)):
        with captured(execute=True), translation.override(language):
            events_services.register(session=session, name="Ana", email="ana@example.org", consent_text="ok")
        with captured(execute=True), translation.override(OTHER[language]):
            services.set_meeting(session=session, join_url=SECRET_URL, meeting_id="1", passcode="p")
    for before in (timedelta(hours=23), timedelta(minutes=50)):
        with time_machine.travel(session.start - before):
            with captured(execute=True), translation.override(OTHER[language]):
                assert tasks.send_reminders.delay().get() == 1


@pytest.mark.parametrize("language", ["en", "sl"])
def test_join_link_and_reminders_are_in_the_registrants_language(
    language, mailoutbox, django_capture_on_commit_callbacks
):
    every_webinar_email(webinar_session("en", "sl"), language, django_capture_on_commit_callbacks)
    for template, subjects in SUBJECT.items():
        message = delivered(mailoutbox, template)
        assert message.subject == subjects[language].format(TITLE[language]), template
        assert_in_language(message, language)
        for part in (message.body, html_part(message)):
            assert TITLE[language] in part and TITLE[OTHER[language]] not in part, template
            assert JOIN[language] in part and SECRET_URL in part


@pytest.mark.parametrize("language", ["en", "sl"])
def test_a_title_in_the_other_language_only_is_marked(language, mailoutbox, django_capture_on_commit_callbacks):
    other = OTHER[language]
    every_webinar_email(webinar_session(other), language, django_capture_on_commit_callbacks)
    for template, subjects in SUBJECT.items():
        message = delivered(mailoutbox, template)
        assert message.subject == subjects[language].format(TITLE[other]), template
        assert_in_language(message, language)
        assert_fallback_marked(message, TITLE[other], other)


def test_the_confirmation_carries_the_join_link_in_the_registrants_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    session = webinar_session("en", "sl")
    MeetingFactory(session=session)
    with django_capture_on_commit_callbacks(execute=True), translation.override("sl"):
        events_services.register(session=session, name="Ana", email="ana@example.org", consent_text="ok")
    message = delivered(mailoutbox, "events/registration_confirmed")
    assert message.subject == f"Prijava potrjena: {TITLE['sl']}"
    assert JOIN["sl"] in message.body and JOIN["sl"] in html_part(message)
    assert_in_language(message, "sl")
