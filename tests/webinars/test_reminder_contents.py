"""What the reminders carry (issue 12, item 7): like the confirmation, the 24-hour and 1-hour
reminders bring the join link and passcode behind a "Join the webinar" button, a "Manage my
registration" button to the registrant's own page, and the registrant's personal calendar file
(in their language, whatever the worker's), whose entry carries the join link."""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar

from events import services as events_services
from events.models import Registration
from tests.events.factories import SECRET_PASSCODE, SECRET_URL
from tests.outbox.test_email_language import html_part
from tests.outbox.test_email_layout import NEW_URL, button, registrant_emails

pytestmark = pytest.mark.django_db

JOIN_BUTTON = {"en": "Join the webinar", "sl": "Pridružite se spletnemu seminarju"}
MANAGE_BUTTON = {"en": "Manage my registration", "sl": "Upravljajte svojo prijavo"}
PREFIX = {"en": "http://testserver/events/", "sl": "http://testserver/sl/events/"}
TITLE = {"en": "Counting birds", "sl": "Štetje ptic"}


def invitation(message) -> tuple[str, str]:
    (attachment,) = [a for a in message.attachments if a[0] == "invite.ics"]
    return attachment[1], attachment[2]


@pytest.mark.parametrize("language", ["en", "sl"])
def test_each_reminder_carries_the_join_link_the_manage_link_and_the_calendar_file(
    language, mailoutbox, django_capture_on_commit_callbacks
):
    messages = registrant_emails(language, django_capture_on_commit_callbacks, mailoutbox)
    registration = Registration.objects.get(email="second@example.org")
    for template in ("webinars/reminder_24h", "webinars/reminder_1h"):
        message = messages[template]
        html, text = html_part(message), message.body
        assert SECRET_URL in text and SECRET_PASSCODE in text, template
        # The manage link (signed, so it differs from message to message) leads to this registration.
        manage = re.search(r"http://testserver/(?:sl/)?events/registration/([^/\s]+)/", text)
        assert manage and manage.group(0).startswith(PREFIX[language]), template
        assert events_services.registration_for_token(manage.group(1)) == registration
        join = button(html, SECRET_URL)
        assert f"{JOIN_BUTTON[language]}</a>" in html and "style=" in join, template
        assert "style=" in button(html, manage.group(0)) and f"{MANAGE_BUTTON[language]}</a>" in html, template
        assert SECRET_PASSCODE in html, template
        content, mimetype = invitation(message)
        assert mimetype == "text/calendar; method=REQUEST"
        calendar = Calendar.from_ical(content)
        assert calendar["METHOD"] == "REQUEST"
        (entry,) = calendar.walk("VEVENT")
        assert str(entry["UID"]) == registration.calendar_uid
        assert str(entry["SUMMARY"]) == TITLE[language], "in the registrant's language, not the worker's"
        assert "second@example.org" in str(entry["ATTENDEE"])
        assert SECRET_URL in content.replace("\r\n ", ""), "the entry carries the join link"


def test_the_join_link_email_brings_the_updated_calendar_file(mailoutbox, django_capture_on_commit_callbacks):
    message = registrant_emails("en", django_capture_on_commit_callbacks, mailoutbox)["webinars/join_link"]
    content, mimetype = invitation(message)
    assert mimetype == "text/calendar; method=REQUEST"
    assert NEW_URL in content.replace("\r\n ", "") and "p-2" in content
    assert NEW_URL in message.body and "style=" in button(html_part(message), NEW_URL)


def test_the_confirmation_carries_the_join_button_and_the_calendar_file(mailoutbox, django_capture_on_commit_callbacks):
    message = registrant_emails("en", django_capture_on_commit_callbacks, mailoutbox)["events/registration_promoted"]
    assert "style=" in button(html_part(message), SECRET_URL)
    content, _mimetype = invitation(message)
    assert SECRET_URL in content.replace("\r\n ", "")
