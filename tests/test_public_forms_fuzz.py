"""Every public form survives garbage: no 500, and nothing stored unless the form accepted it.

One property test over all the public POST endpoints, with the seeded data behind them. Values
mix NUL bytes, markup and script payloads, very long strings, huge numbers and malformed emails;
field names are the forms' own, so the garbage reaches the validation code."""

from __future__ import annotations

import pytest
from django.apps import apps
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

GARBAGE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "\x00",
            "<script>alert(1)</script>",
            '"><svg onload=alert(1)>',
            "javascript:alert(1)",
            "not-an-email",
            "a@b",
            "9" * 30,
            "-1",
            "2024-13-45",
            "x" * 5000,
            "ana@example.org",
            "on",
        ]
    ),
)
FIELDS = [
    "name", "email", "acronym", "kind", "partner_type", "roles", "description", "contact_name", "phone",
    "website", "city", "organisation", "message", "session", "affiliation", "role", "consent",
    "mailing_list_opt_in", "lists", "website_url",
]


def row_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        if model._meta.app_label in {"network", "events", "webinars", "mailing"} and not model._meta.proxy:
            counts[model._meta.label] = model.objects.count()
    return counts


@pytest.fixture
def form_urls(seeded_with_demo) -> list[str]:
    from events.models import Event
    from network.models import Partner, ServiceModule, WorkingGroup
    from webinars.models import Webinar

    urls = ["/join/", "/mailing-list/", "/accessibility/"]
    urls.append(ServiceModule.objects.first().get_absolute_url())
    urls.append(Webinar.objects.first().get_absolute_url())
    urls.append(Event.objects.published().first().get_absolute_url())
    if not WorkingGroup.objects.exists():
        group = WorkingGroup.objects.create(name="Open data", slug="open-data", status="active")
        group.members.add(Partner.objects.first())
    urls.append(WorkingGroup.objects.first().get_absolute_url())
    from django.test import Client

    for url in urls:
        page = Client().get(url).content.decode()
        assert 'method="post"' in page and "csrfmiddlewaretoken" in page, f"{url} shows its form"
    return urls


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(FIELDS), st.one_of(GARBAGE, st.lists(GARBAGE, max_size=3)), max_size=8),
       which=st.integers(min_value=0, max_value=6))
def test_garbage_never_breaks_a_public_form(client, form_urls, settings, data, which):
    settings.RATELIMIT_ENABLED = False
    url = form_urls[which % len(form_urls)]
    before = row_counts()
    response = client.post(url, data)
    assert response.status_code in (200, 302, 400), f"{url} answered {response.status_code} to {data!r}"
    if response.status_code != 302:
        assert row_counts() == before, f"{url} stored something from a rejected submission {data!r}"
