"""What a registration post costs and keeps: its form is checked against the event, questions and
dates this process remembers (no query until the service locks the session), an edit of the
event shows on the next post at once, and the result page finds the registration through a
signed cookie of its own, not a server-side session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import services
from events.models import Registration
from events.views import RESULT_COOKIE

from .factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _form(session, email: str, **extra) -> dict:
    return {"session": session.pk, "name": "Ana Novak", "email": email, "affiliation": "UL", "consent": "on", **extra}


def _own_link(registration) -> str:
    """The start of the own page's link (its signature carries the time it was made)."""
    return f"/events/registration/{services.manage_token(registration).split(':')[0]}:"


def test_a_post_checks_its_form_without_reading_the_event_its_questions_or_dates():
    session = SessionFactory(capacity=50)
    url = session.event.get_absolute_url()
    assert Client().post(url, _form(session, "first@example.org")).status_code == 302  # remembered now
    with CaptureQueriesContext(connection) as ctx:
        assert Client().post(url, _form(session, "second@example.org")).status_code == 302
    sqls = [query["sql"] for query in ctx.captured_queries]
    lock = next(i for i, sql in enumerate(sqls) if "AS event_status" in sql)  # the service's locked read
    read_before = [sql for sql in sqls[:lock] if any(t in sql for t in ("events_event", "events_session",
                                                                       "events_registrationquestion"))]
    assert read_before == []
    assert session.registrations.count() == 2


def test_a_new_date_and_a_closed_one_show_on_the_next_post_at_once(django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=50)
    url = session.event.get_absolute_url()
    assert Client().post(url, _form(session, "first@example.org")).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):  # the edit's commit raises the events area
        added = SessionFactory(event=session.event, capacity=10, start=session.start + timedelta(days=7))
    assert Client().post(url, _form(added, "second@example.org")).status_code == 302
    assert added.registrations.count() == 1, "a date added after the event was remembered can be chosen"
    added.registration_closes_at = timezone.now() - timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        added.save()
    refused = Client().post(url, _form(added, "third@example.org"))
    assert refused.status_code == 200 and added.registrations.count() == 1
    assert "Select a valid choice" in refused.content.decode(), "the form itself no longer offers the date"


def test_the_result_page_finds_the_registration_by_a_signed_cookie_and_no_session():
    session = SessionFactory(capacity=50)
    url = session.event.get_absolute_url()
    visitor = Client()
    response = visitor.post(url, _form(session, "ana@example.org"))
    assert response.status_code == 302
    assert settings.SESSION_COOKIE_NAME not in response.cookies, "no session row for a visitor"
    cookie = response.cookies[RESULT_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) == 24 * 60 * 60
    registration = Registration.objects.get(email="ana@example.org")
    assert str(registration.public_id) in cookie.value  # what it points to, nothing personal
    page = visitor.get(response["Location"]).content.decode()
    assert "You are registered" in page and session.event.title in page
    own_link = _own_link(registration)
    assert own_link in page, "the own page's link for one's own registration"

    # Another registration's id without this site's signature shows nothing of it.
    other = RegistrationFactory(session=session, email="bojan@example.org", name="Bojan Kos")
    stranger = Client()
    stranger.cookies[RESULT_COOKIE] = f"{other.public_id}:0"
    page = stranger.get(response["Location"]).content.decode()
    assert _own_link(other) not in page and "Bojan Kos" not in page
    forged = visitor.cookies[RESULT_COOKIE].value.replace(str(registration.public_id), str(other.public_id))
    stranger.cookies[RESULT_COOKIE] = forged
    page = stranger.get(response["Location"]).content.decode()
    assert _own_link(other) not in page and "Bojan Kos" not in page


def test_a_repeat_from_the_same_browser_keeps_its_own_link_and_another_browser_gets_none():
    session = SessionFactory(capacity=50)
    url = session.event.get_absolute_url()
    visitor = Client()
    location = visitor.post(url, _form(session, "ana@example.org"))["Location"]
    visitor.post(url, _form(session, "ana@example.org"))  # a double submit
    own_link = _own_link(session.registrations.get())
    assert own_link in visitor.get(location).content.decode()
    other = Client()
    other.post(url, _form(session, "ana@example.org"))  # someone typing her address
    assert own_link not in other.get(location).content.decode()
    assert session.registrations.count() == 1


def test_a_date_this_process_has_not_heard_of_yet_is_found_in_the_database():
    """Another process added the date a moment ago (this one's remembered event is up to a
    second old): the post is checked against the database instead, not refused."""
    session = SessionFactory(capacity=50)
    url = session.event.get_absolute_url()
    assert Client().post(url, _form(session, "first@example.org")).status_code == 302  # remembered now
    added = SessionFactory(event=session.event, capacity=10, start=session.start + timedelta(days=7))  # no commit hooks run
    assert Client().post(url, _form(added, "second@example.org")).status_code == 302
    assert added.registrations.count() == 1
    refused = Client().post(url, {**_form(added, "third@example.org"), "session": added.pk + 1000})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
