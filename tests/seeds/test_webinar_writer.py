"""seeds.writers.webinars: the seed invitation becomes a webinar series named after its topic."""

from __future__ import annotations

import pytest

from events.models import Event
from seeds.writers.webinars import series_title

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("headline", "title"),
    [
        ("Invitation to participate in a webinar on promoting citizen science in universities",
         "Promoting citizen science in universities"),
        ("An invitation to attend the online seminar series about open data in libraries.",
         "Open data in libraries"),
        ("Citizen science day 2025", "Citizen science day 2025"),
    ],
)
def test_the_webinar_is_named_after_its_topic_not_the_invitation(headline, title):
    assert series_title(headline) == title


def test_seeded_webinar_has_its_topic_as_title(seeded, client):
    event = Event.objects.get(kind=Event.Kind.WEBINAR)
    assert event.title == "Promoting citizen science in universities"
    assert event.slug == "promoting-citizen-science-in-universities"
    assert client.get(event.get_absolute_url()).status_code == 200
