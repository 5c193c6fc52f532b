"""The registration form on /webinars/<slug>/: success redirects to "check your inbox" (never the
link), opt-in stored, honeypot, rate limits (the abuse cases are in
tests/events/test_registration_abuse.py), garbage input, and a broker outage."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from kombu.exceptions import OperationalError

from events.models import Registration
from outbox import tasks
from outbox.models import OutgoingEmail
from tests.events.factories import SECRET_URL, MeetingFactory, SessionFactory, WebinarFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def webinar_session():
    webinar = WebinarFactory()
    session = SessionFactory(event=webinar.event, capacity=5)
    MeetingFactory(session=session)
    return webinar, session


def _post(client, webinar, session, **overrides):
    data = {"session": session.pk, "name": "Ana Novak", "email": "ana@example.org", "affiliation": "UL",
            "consent": "on"}
    data.update(overrides)
    return client.post(webinar.get_absolute_url(), {k: v for k, v in data.items() if v is not None})


def test_page_shows_radio_buttons_and_unticked_opt_in(client, webinar_session):
    webinar, session = webinar_session
    body = client.get(webinar.get_absolute_url()).content.decode()
    assert f'type="radio" name="session" value="{session.pk}"' in body
    assert 'name="mailing_list_opt_in"' in body
    opt_in = body[body.index('name="mailing_list_opt_in"') - 200: body.index('name="mailing_list_opt_in"') + 100]
    assert "checked" not in opt_in
    assert body.count("<h1") == 1


def test_registering_redirects_to_check_your_inbox_and_mails_the_link(
    client, webinar_session, mailoutbox, django_capture_on_commit_callbacks
):
    webinar, session = webinar_session
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, webinar, session, mailing_list_opt_in="on")
    assert response.status_code == 302
    assert response["Location"] == reverse("events:registered", kwargs={"slug": webinar.event.slug})
    assert SECRET_URL not in response["Location"]
    page = client.get(response["Location"])
    assert b"You are registered" in page.content and SECRET_URL.encode() not in page.content
    registration = Registration.objects.get()
    assert registration.mailing_list_opt_in is True and registration.consent_text
    # The confirmation carries the link; any other message (the mailing list's double opt-in,
    # sent because the box was ticked) does not.
    (confirmation,) = [m for m in mailoutbox if m.subject.startswith("Registration confirmed")]
    assert SECRET_URL in confirmation.body and "PASS-7731-XQ" in confirmation.body
    assert all(SECRET_URL not in m.body for m in mailoutbox if m is not confirmation)


def test_opt_in_defaults_to_false(client, webinar_session):
    webinar, session = webinar_session
    _post(client, webinar, session)
    assert Registration.objects.get().mailing_list_opt_in is False


def test_honeypot_stores_nothing(client, webinar_session, mailoutbox):
    webinar, session = webinar_session
    response = _post(client, webinar, session, website_url="http://spam.example")
    assert response.status_code == 200
    assert not Registration.objects.exists() and mailoutbox == []


def test_full_session_without_waiting_list_shows_the_reason(client, webinar_session):
    webinar, session = webinar_session
    session.capacity, session.has_waiting_list = 0, False
    session.save()
    response = _post(client, webinar, session)
    assert response.status_code == 200 and b"This session is full." in response.content
    assert not Registration.objects.exists()


def test_repeated_submits_are_never_refused(client, webinar_session, settings):
    """A repeat registers nobody new, so it counts against no limit (and re-sends at most once
    per RESEND_INTERVAL): someone typing a victim's address again and again locks nobody out."""
    settings.RATELIMIT_ENABLED = True
    webinar, session = webinar_session
    codes = [_post(client, webinar, session, email="same@example.org").status_code for _ in range(8)]
    assert codes == [302] * 8
    assert OutgoingEmail.objects.filter(to="same@example.org").count() == 1


def test_rate_limit_per_client(client, webinar_session, settings):
    """Every POST counts against the client, a refused one too (here: no consent)."""
    settings.RATELIMIT_ENABLED = True
    webinar, session = webinar_session
    codes = [_post(client, webinar, session, email=f"p{i}@example.org", consent=None).status_code for i in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429
    assert not Registration.objects.exists()


def test_broker_down_still_saves_and_sweep_delivers_once(
    client, webinar_session, mailoutbox, django_capture_on_commit_callbacks
):
    webinar, session = webinar_session
    with mock.patch("outbox.tasks.deliver_email.delay", side_effect=OperationalError("redis down")):
        with django_capture_on_commit_callbacks(execute=True):
            response = _post(client, webinar, session)
    assert response.status_code == 302
    assert Registration.objects.count() == 1
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.QUEUED and mailoutbox == []
    assert tasks.sweep(older_than=__import__("datetime").timedelta(0)) == 1
    assert tasks.sweep(older_than=__import__("datetime").timedelta(0)) == 0
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and len(mailoutbox) == 1


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(max_size=300),
    email=st.one_of(st.text(max_size=300), st.emails()),
    session=st.one_of(st.text(max_size=20), st.integers()),
    consent=st.sampled_from(["", "on", "\x00", "yes"]),
)
def test_garbage_never_500s_and_stores_nothing_invalid(client, webinar_session, settings, name, email, session, consent):
    settings.RATELIMIT_ENABLED = False
    webinar, real_session = webinar_session
    response = client.post(
        webinar.get_absolute_url(),
        {"session": session, "name": name, "email": email, "consent": consent, "affiliation": name},
    )
    assert response.status_code in (200, 302)
    for registration in Registration.objects.all():
        registration.full_clean()
        assert "\x00" not in registration.name and registration.name.strip()
        assert registration.session_id == real_session.pk


def test_the_event_page_and_the_webinar_page_share_one_allowance(client, webinar_session, settings):
    """Both pages register through the same engine: switching page gives no fresh seats."""
    settings.RATELIMIT_ENABLED = True
    webinar, session = webinar_session
    for n in range(3):
        assert _post(client, webinar, session, email=f"p{n}@example.org").status_code == 302
    data = {"session": session.pk, "name": "Ana Novak", "email": "p3@example.org", "consent": "on"}
    response = client.post(webinar.event.get_absolute_url(), data)
    assert response.status_code == 200
    assert "No more registrations for this session are accepted from your network connection" in response.content.decode()
    assert Registration.objects.count() == 3
