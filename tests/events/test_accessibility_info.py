"""Each event and webinar page shows its accessibility information (or says whom to ask)."""

import pytest

from tests.events.factories import EventFactory, WebinarFactory

pytestmark = pytest.mark.django_db


def test_event_page_shows_its_accessibility_information(client):
    event = EventFactory(accessibility="Step-free access; induction loop in the hall.")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "<dt>Accessibility</dt>" in html and "induction loop" in html


def test_webinar_page_shows_its_accessibility_information(client):
    webinar = WebinarFactory(event__accessibility="Live captions in English.")
    html = client.get(webinar.get_absolute_url()).content.decode()
    assert "<dt>Accessibility</dt>" in html and "Live captions in English." in html


def test_an_event_without_it_says_whom_to_ask(client):
    event = EventFactory(accessibility="")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "<dt>Accessibility</dt>" in html and "have not described the accessibility" in html
