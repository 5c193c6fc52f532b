"""Times in emails (issue 12, item 3): every registrant email states the session's time in its
own zone with the zone's abbreviation, and — when the registrant's browser reported another
zone — the same time on the registrant's clock ("11:00–12:30 your time (EET)"), in the formats
of the email's language ("11.00–12.30 po vašem času")."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.utils import translation

from core.email_render import registrant_time
from core.zones import zone_short
from tests.outbox.test_email_language import html_part
from tests.outbox.test_email_layout import REGISTRANT_EMAILS, registrant_emails

LJUBLJANA = zoneinfo.ZoneInfo("Europe/Ljubljana")
START = datetime(2031, 12, 15, 10, 0, tzinfo=LJUBLJANA)  # Monday, CET
END = START + timedelta(minutes=90)
SESSION_TIME = {
    "en": "Monday, 15 December 2031, 10:00–11:30 CET",
    "sl": "ponedeljek, 15. decembra 2031, 10.00–11.30 CET",
}
OWN_TIME = {"en": "11:00–12:30 your time (EET)", "sl": "11.00–12.30 po vašem času (EET)"}
# After the session has moved (session_changed and session_cancelled state the new time).
MOVED = {"events/session_changed", "events/session_cancelled"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "sl"])
def test_every_registrant_email_states_the_sessions_time_and_the_registrants_own(
    language, mailoutbox, django_capture_on_commit_callbacks
):
    messages = registrant_emails(language, django_capture_on_commit_callbacks, mailoutbox, time_zone="Europe/Riga")
    assert set(messages) == set(REGISTRANT_EMAILS)
    for template, message in messages.items():
        for part in (message.body, html_part(message)):
            if template not in MOVED:
                assert SESSION_TIME[language] in part, template
            assert " CET (UTC+1)" in part, template
            assert OWN_TIME[language] in part, (template, part[:600])


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["", "Europe/Zagreb", "Not/AZone"])
def test_no_own_time_without_a_zone_or_with_the_sessions_clock(zone, mailoutbox, django_capture_on_commit_callbacks):
    """Unknown, the same clock as the session's (Zagreb is CET too), or not a zone at all."""
    messages = registrant_emails("en", django_capture_on_commit_callbacks, mailoutbox, time_zone=zone)
    for template, message in messages.items():
        assert "your time" not in message.body + html_part(message), template
        assert SESSION_TIME["en"] in message.body or template in MOVED


def test_the_own_time_in_each_language_and_zone():
    with translation.override("en"):
        riga = registrant_time(START, END, "Europe/Ljubljana", "Europe/Riga")
        assert (riga.when, riga.zone, riga.name) == ("11:00–12:30", "EET", "Europe/Riga")
        assert registrant_time(START, END, "Europe/Ljubljana", "Europe/Berlin") is None
        assert registrant_time(START, END, "Europe/Ljubljana", "") is None
        assert registrant_time(START, END, "Europe/Ljubljana", "../etc/passwd") is None
        # Another day on the registrant's clock: the date is given.
        los_angeles = registrant_time(START, END, "Europe/Ljubljana", "America/Los_Angeles")
        assert los_angeles.when == "01:00–02:30" and los_angeles.zone == "PST"
        early = START.replace(hour=8)
        los_angeles = registrant_time(early, early + timedelta(hours=1), "Europe/Ljubljana", "America/Los_Angeles")
        assert los_angeles.when == "Sunday, 14 December 2031, 23:00–Monday, 15 December 2031, 00:00"
        # A zone without an abbreviation reads as its offset.
        dubai = registrant_time(START, END, "Europe/Ljubljana", "Asia/Dubai")
        assert (dubai.when, dubai.zone) == ("13:00–14:30", "UTC+4")  # as the pages and the script write it
    with translation.override("sl"):
        riga = registrant_time(START, END, "Europe/Ljubljana", "Europe/Riga")
        assert (riga.when, riga.zone) == ("11.00–12.30", "EET")
        auckland = registrant_time(START.replace(hour=20), END.replace(hour=21), "Europe/Ljubljana", "Pacific/Auckland")
        assert auckland.when == "torek, 16. decembra 2031, 08.00–09.30" and auckland.zone == "NZDT"


def test_summer_time_is_named_as_such():
    summer = datetime(2031, 7, 1, 10, 0, tzinfo=LJUBLJANA)
    with translation.override("en"):
        riga = registrant_time(summer, summer + timedelta(hours=1), "Europe/Ljubljana", "Europe/Riga")
    assert (riga.when, riga.zone) == ("11:00–12:00", "EEST")
    assert zone_short(summer) == "CEST"
