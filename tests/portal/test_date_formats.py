"""One date and time format per language, everywhere: Slovenian puts the genitive month after
the day and a full stop in times ("ponedeljek, 14. decembra 2026, 10.00–11.30"); the same
session reads the same on the home page, the event page, the registration form and in emails."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import strip_tags

from tests.events.factories import SessionFactory

pytestmark = pytest.mark.django_db
LJUBLJANA = ZoneInfo("Europe/Ljubljana")


@pytest.fixture
def session():
    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=LJUBLJANA), tick=False):
        yield SessionFactory(
            start=datetime(2026, 12, 14, 10, 0, tzinfo=LJUBLJANA), end=datetime(2026, 12, 14, 11, 30, tzinfo=LJUBLJANA)
        )


@pytest.mark.parametrize(
    ("prefix", "expected", "end"),
    [("/sl", "ponedeljek, 14. decembra 2026, 10.00", "11.30"), ("", "Monday, 14 December 2026, 10:00", "11:30")],
)
def test_a_session_reads_the_same_on_every_page(client, session, prefix, expected, end):
    with translation.override("en"):
        path = session.event.get_absolute_url()
    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=LJUBLJANA), tick=False):
        home = client.get(f"{prefix}/").content.decode()
        event_page = client.get(f"{prefix}{path}").content.decode()
    assert expected in home
    assert expected in event_page and end in event_page
    assert "Dec." not in home and "a.m." not in home


def test_the_registration_form_and_emails_use_the_same_format(session):
    from events.forms import SessionChoiceField

    with translation.override("sl"):
        label = SessionChoiceField(queryset=None).label_from_instance(session)
        text = render_to_string("emails/events/_when.txt", {"session": session}, using="text")
    assert strip_tags(label) == "ponedeljek, 14. decembra 2026, 10.00–11.30 CET (UTC+1)"
    assert 'class="when"' in label  # the script adds the visitor's own time to the choice too
    assert "ponedeljek, 14. decembra 2026, 10.00–11.30 CET (UTC+1)" in text
