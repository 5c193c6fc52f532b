"""Every list page and export: the number of SQL queries does not grow with the number of rows.

Each case makes a few rows (with their related rows), renders the page, makes many more, and
renders it again; saving the rows raises the page cache's version, so both renders are fresh."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from network.models import Partner
from tests.events.factories import EventFactory, SessionFactory, WebinarFactory
from tests.network.factories import PartnerFactory, ServiceOfferFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db


def working_groups(n: int) -> None:
    for _ in range(n):
        group = WorkingGroupFactory()
        lead, member = PartnerFactory(), PartnerFactory()
        group.lead_partners.add(lead)
        group.members.add(lead, member)


def service_offers(n: int) -> None:
    ServiceOfferFactory.create_batch(n)


def webinars(n: int) -> None:
    for _ in range(n):
        webinar = WebinarFactory()
        webinar.event.organisers.add(PartnerFactory())
        SessionFactory.create_batch(2, event=webinar.event)


def events_with_organisers(n: int) -> None:
    for _ in range(n):
        event = EventFactory()
        event.organisers.add(PartnerFactory())
        SessionFactory(event=event)


def partners(n: int) -> None:
    for partner in PartnerFactory.create_batch(n):
        partner.coordinators.clear()
    Partner.objects.update(is_network_partner=True)


CASES: list[tuple[str, Callable[[int], None], str | None]] = [
    ("/", webinars, None),  # shows the next four dates only
    ("/working-groups/", working_groups, "Working group"),
    ("/services/", service_offers, "Module"),
    ("/webinars/", webinars, "Webinar"),
    ("/events/", events_with_organisers, "Workshop"),
    ("/events/calendar.ics", events_with_organisers, "Workshop"),
    ("/api/events/", events_with_organisers, "Workshop"),
    ("/api/partners/", partners, ""),
    ("/partners.csv", partners, ""),
]


@pytest.mark.parametrize(("url", "make_rows", "shown"), CASES, ids=[c[0] for c in CASES])
def test_query_count_does_not_grow_with_rows(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks, url, make_rows, shown
):
    make_rows(2)
    with django_assert_max_num_queries(60) as few:
        first = client.get(url)
    assert first.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # committed: cached pages are stale
        make_rows(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    if shown is not None:  # the second render shows the new rows: it is not a cached copy
        assert response.content != first.content
        if shown:
            assert response.content.decode().count(shown) > first.content.decode().count(shown)
