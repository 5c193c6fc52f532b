"""The home page: upcoming events one card each (their next date and how many dates are still to
come), featured projects, the latest news and the network in numbers; cached per content area
and read in a constant number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event, Registration, Session
from network.models import Partner
from portal.models import NewsItem
from projects.models import Project
from tests.events.factories import EventFactory, RegistrationFactory, SessionFactory
from tests.network.factories import PartnerFactory
from tests.projects.factories import ProjectFactory
from tests.test_html_validity import check_documents

pytestmark = pytest.mark.django_db


def home(client, prefix: str = "") -> str:
    response = client.get(prefix + "/")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, title_id: str) -> str:
    start = html.index(f'id="{title_id}"')
    return html[start:html.index("</section>", start)]


def test_a_webinar_with_three_dates_is_one_card(client):
    now = timezone.now()
    webinar = EventFactory(title="Citizen science for librarians")
    for days in (21, 7, 14):
        SessionFactory(event=webinar, start=now + timedelta(days=days))
    SessionFactory(event=webinar, start=now - timedelta(days=3))  # past: not counted
    SessionFactory(event=webinar, start=now + timedelta(days=30), status=Session.Status.CANCELLED)
    single = EventFactory(title="Bird count")
    SessionFactory(event=single, start=now + timedelta(days=2))
    upcoming = section(home(client), "upcoming-title")
    assert upcoming.count("Citizen science for librarians") == 1
    assert "3 dates" in upcoming
    assert upcoming.count("dates-count") == 1  # a single date says nothing more
    assert upcoming.index("Bird count") < upcoming.index("Citizen science for librarians")  # soonest first
    next_date = timezone.localtime(now + timedelta(days=7), timezone.get_fixed_timezone(60)).date()
    assert re.search(rf'<time datetime="{next_date:%Y-%m-%d}T', upcoming)


def test_drafts_cancelled_and_past_events_are_not_upcoming(client):
    now = timezone.now()
    SessionFactory(event=EventFactory(title="Draft", status=Event.Status.DRAFT))
    SessionFactory(event=EventFactory(title="Called off", status=Event.Status.CANCELLED))
    SessionFactory(event=EventFactory(title="Over"), start=now - timedelta(days=2))
    upcoming = section(home(client), "upcoming-title")
    assert "No dates are announced at the moment." in upcoming
    for title in ("Draft", "Called off", "Over"):
        assert title not in upcoming


def test_featured_projects_up_to_three_and_hidden_without_any(client, django_capture_on_commit_callbacks):
    assert 'id="projects-title"' not in home(client)
    with django_capture_on_commit_callbacks(execute=True):
        for title in ("Alpha swifts", "Bees", "Crayfish", "Dragonflies"):
            ProjectFactory(title=title, featured=True)
        ProjectFactory(title="Not featured")
        ProjectFactory(title="Featured draft", featured=True, review_state=Project.ReviewState.DRAFT)
    featured = section(home(client), "projects-title")
    assert [t for t in ("Alpha swifts", "Bees", "Crayfish", "Dragonflies") if t in featured] == [
        "Alpha swifts", "Bees", "Crayfish"]
    assert "Not featured" not in featured and "Featured draft" not in featured


def test_latest_three_news(client):
    today = timezone.localdate()
    for n in range(5):
        NewsItem.objects.create(title=f"News {n}", slug=f"news-{n}", body=".", published_on=today - timedelta(days=n))
    news = section(home(client), "news-title")
    assert [n for n in range(5) if f"News {n}<" in news] == [0, 1, 2]


def test_the_network_in_numbers(client):
    now = timezone.now()
    PartnerFactory.create_batch(3)
    PartnerFactory(status=Partner.Status.PENDING)
    PartnerFactory(is_network_partner=False)
    ProjectFactory.create_batch(2)  # their lead partners are published partners too: 5 in all
    ProjectFactory(review_state=Project.ReviewState.DRAFT)  # and a sixth
    held = EventFactory()
    SessionFactory(event=held, start=now - timedelta(days=10))
    SessionFactory(event=held, start=now - timedelta(days=5))
    SessionFactory(event=held, start=now - timedelta(days=4), status=Session.Status.CANCELLED)
    SessionFactory(event=EventFactory(status=Event.Status.DRAFT), start=now - timedelta(days=4))
    past = Session.objects.filter(event=held, status=Session.Status.SCHEDULED).first()
    coming = SessionFactory(event=held)
    RegistrationFactory.create_batch(2, session=past)
    RegistrationFactory(session=past, status=Registration.Status.WAITLISTED)
    RegistrationFactory(session=past, status=Registration.Status.CANCELLED)
    RegistrationFactory.create_batch(2, session=coming)  # still to come: not counted
    numbers = section(home(client), "numbers-title")
    published = Partner.objects.published().network_partners().count()
    assert f"<strong>{published}</strong> partners" in numbers
    assert "<strong>2</strong> projects" in numbers
    assert "<strong>2</strong> events held" in numbers
    assert "<strong>3</strong> people registered for them" in numbers
    assert "@example.org" not in numbers


def _rows(n: int) -> None:
    now = timezone.now().replace(second=0, microsecond=0)  # as entered in the admin
    for i in range(n):
        event = EventFactory()
        SessionFactory.create_batch(3, event=event, start=now + timedelta(days=i + 1))
        PartnerFactory()
        ProjectFactory(featured=True)
        NewsItem.objects.create(title=f"Item {i}", slug=f"item-{NewsItem.objects.count()}", body=".")


def test_query_count_is_the_same_for_5_and_50_events_and_partners(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _rows(5)
    with CaptureQueriesContext(connection) as few:
        first = home(client)
    queries = len(few.captured_queries)
    assert 0 < queries <= 15
    with django_capture_on_commit_callbacks(execute=True):
        _rows(45)
    with CaptureQueriesContext(connection) as many:
        second = home(client)
    assert len(many.captured_queries) == queries
    assert second != first  # rendered afresh, not a cached copy
    assert f"<strong>{Partner.objects.count()}</strong> partners" in second


def test_home_is_valid_html_with_one_h1_in_both_languages(client, tmp_path):
    _rows(3)
    documents = {prefix or "/": home(client, prefix) for prefix in ("", "/sl")}
    for html in documents.values():
        assert html.count("<h1") == 1
    assert check_documents(documents, tmp_path) == {}
