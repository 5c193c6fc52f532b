"""Feedback after a session: the signed link opens the registrant's own form, a tampered one the
broken-link page; a rating outside 1–5 is refused with a message and nothing stored; one answer
per registration (changeable for 30 days after the session); the figures in the admin; the
comments in the registrant's personal data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from events import feedback, services
from events.models import FeedbackAnswer, Registration
from events.personal_data import Registrations

from .factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration():
    start = timezone.now() - timedelta(days=1)
    return RegistrationFactory(session=SessionFactory(start=start, end=start + timedelta(hours=1)), attended=True,
                               email="ana@example.org")


def _path(registration: Registration) -> str:
    return reverse("events:feedback", kwargs={"token": feedback.feedback_token(registration)})


def test_the_signed_link_opens_an_accessible_private_form(client, registration):
    response = client.get(_path(registration))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "<fieldset" in html and "<legend>How was the session?" in html
    assert html.count('type="radio" name="rating"') == 5
    assert 'name="website_url"' in html  # the honeypot
    assert response["Cache-Control"] == "private, no-store" and response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in html


def test_an_answer_is_stored_and_can_be_changed_but_stays_one(client, registration):
    response = client.post(_path(registration), {"rating": "4", "comment": "  Very useful.  "})
    assert response.status_code == 302
    answer = FeedbackAnswer.objects.get()
    assert (answer.registration, answer.rating, answer.comment) == (registration, 4, "Very useful.")

    page = client.get(_path(registration)).content.decode()
    assert "you have already answered (your rating: 4 of 5)" in page
    assert "Change my answer" in page

    client.post(_path(registration), {"rating": "5", "comment": ""})
    answer = FeedbackAnswer.objects.get()
    assert (answer.rating, answer.comment) == (5, "")


def test_the_page_speaks_slovenian_under_sl(client, registration):
    registration.language = "sl"
    with translation.override("sl"):
        path = _path(registration)
    assert path.startswith("/sl/")
    response = client.get(path)
    assert response.status_code == 200 and '<html lang="sl"' in response.content.decode()


def test_a_tampered_link_gets_the_broken_link_page(client, registration):
    token = feedback.feedback_token(registration)
    response = client.get(reverse("events:feedback", kwargs={"token": token[:-2] + "xx"}))
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    # The own page's link does not open the feedback form either (another salt).
    other = client.get(reverse("events:feedback", kwargs={"token": services.manage_token(registration)}))
    assert other.status_code == 404
    assert client.post(reverse("events:feedback", kwargs={"token": "x"}), {"rating": "5"}).status_code == 404
    assert not FeedbackAnswer.objects.exists()


@pytest.mark.parametrize("rating", ["0", "6", "-1", "five", "", "4.5", "9" * 30, "3\x00"])
def test_a_rating_out_of_range_is_refused_with_a_message_and_nothing_is_stored(client, registration, rating):
    response = client.post(_path(registration), {"rating": rating, "comment": "ok"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a rating from 1 to 5." in html and 'class="error-summary"' in html
    assert not FeedbackAnswer.objects.exists()


def test_a_comment_too_long_is_refused(client, registration):
    response = client.post(_path(registration), {"rating": "3", "comment": "x" * 2001})
    assert response.status_code == 200 and not FeedbackAnswer.objects.exists()


def test_the_database_holds_one_answer_per_registration_and_ratings_from_1_to_5(registration):
    FeedbackAnswer.objects.create(registration=registration, rating=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackAnswer.objects.create(registration=registration, rating=4)
    other = RegistrationFactory(session=registration.session)
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackAnswer.objects.create(registration=other, rating=6)
    with pytest.raises(ValueError):
        feedback.give_feedback(registration=other, rating=0)


def test_answers_are_taken_from_the_start_until_30_days_after_the_end(client, registration):
    session = registration.session
    session.start, session.end = timezone.now() + timedelta(days=1), timezone.now() + timedelta(days=1, hours=1)
    session.save()
    response = client.post(_path(registration), {"rating": "5"})
    assert "opens when the session starts" in response.content.decode() and not FeedbackAnswer.objects.exists()

    session.start, session.end = timezone.now() - timedelta(days=32), timezone.now() - timedelta(days=31)
    session.save()
    FeedbackAnswer.objects.create(registration=registration, rating=2, comment="Too fast.")
    response = client.post(_path(registration), {"rating": "5"})
    assert response.status_code == 200 and "your rating: 2 of 5" in response.content.decode()
    assert FeedbackAnswer.objects.get().rating == 2


def test_a_cancelled_registration_has_no_feedback_form(client, registration):
    Registration.objects.filter(pk=registration.pk).update(status=Registration.Status.CANCELLED)
    assert client.get(_path(registration)).status_code == 404


def test_the_admin_shows_count_and_average_per_session(network_coordinator_client, registration):
    session = registration.session
    FeedbackAnswer.objects.create(registration=registration, rating=5, comment="Great")
    for rating in (4, 4):
        FeedbackAnswer.objects.create(registration=RegistrationFactory(session=session), rating=rating)
    FeedbackAnswer.objects.create(registration=RegistrationFactory(), rating=1)  # another event's session

    everything = network_coordinator_client.get(reverse("admin:events_feedbackanswer_changelist"))
    assert "4 answers, average rating 3.5 of 5." in everything.content.decode()
    url = reverse("admin:events_feedbackanswer_changelist") + f"?session={session.pk}"
    page = network_coordinator_client.get(url).content.decode()
    assert "3 answers, average rating 4.3 of 5." in page
    by_event = network_coordinator_client.get(
        reverse("admin:events_feedbackanswer_changelist") + f"?event={session.event_id}"
    ).content.decode()
    assert "3 answers, average rating 4.3 of 5." in by_event


def test_partner_coordinators_see_only_their_own_events_feedback(client, coordinator_a, partner_a, registration):
    FeedbackAnswer.objects.create(registration=registration, rating=5, comment="Not yours")
    client.force_login(coordinator_a)
    page = client.get(reverse("admin:events_feedbackanswer_changelist")).content.decode()
    assert "Not yours" not in page and "0 answers" in page
    registration.session.event.organisers.add(partner_a)
    page = client.get(reverse("admin:events_feedbackanswer_changelist")).content.decode()
    assert "Not yours" in page and "1 answer, average rating 5.0 of 5." in page


def test_feedback_is_part_of_the_registrants_personal_data(registration):
    FeedbackAnswer.objects.create(registration=registration, rating=4, comment="Ana's words")
    holder = Registrations()
    rows = holder.export("ana@example.org")["registrations"]
    assert rows[0]["feedback"][0]["comment"] == "Ana's words"
    erasure = holder.erase("ana@example.org")
    assert erasure.counts["feedback answers deleted"] == 1 and not FeedbackAnswer.objects.exists()


def test_retention_keeps_the_rating_and_blanks_the_comment(registration, settings):
    FeedbackAnswer.objects.create(registration=registration, rating=4, comment="Ana's words")
    later = registration.session.end + timedelta(days=settings.RETENTION_REGISTRATION_DAYS + 1)
    result = Registrations().apply_retention(now=later)
    assert result["feedback_comments_blanked"] == 1
    answer = FeedbackAnswer.objects.get()
    assert (answer.rating, answer.comment) == (4, "")


def test_the_feedback_list_costs_the_same_queries_whatever_the_number_of_rows(network_coordinator_client, registration):
    url = reverse("admin:events_feedbackanswer_changelist")
    FeedbackAnswer.objects.create(registration=registration, rating=3)
    network_coordinator_client.get(url)  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as one:
        network_coordinator_client.get(url)
    for rating in (1, 2, 4, 5):
        FeedbackAnswer.objects.create(registration=RegistrationFactory(), rating=rating)
    with CaptureQueriesContext(connection) as five:
        network_coordinator_client.get(url)
    assert len(five) == len(one)


def test_the_form_is_rate_limited_and_the_429_page_is_private(client, registration, settings):
    settings.RATELIMIT_ENABLED = True
    path = _path(registration)
    statuses = [client.post(path, {"rating": "9"}).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    assert client.post(path, {"rating": "9"})["Cache-Control"] == "private, no-store"
    assert not FeedbackAnswer.objects.exists()
