"""The feedback form on /accessibility/: reaches the coordinators through the outbox, announces
errors accessibly, has a honeypot and a rate limit, and survives garbage input."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from outbox.models import OutgoingEmail
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
URL = "/accessibility/"
GOOD = {"message": "The date picker cannot be used with a keyboard.", "page": "/events/", "name": "Ana",
        "email": "ana@example.org"}


def test_the_statement_shows_the_form_and_the_eu_model_sections(client):
    html = client.get(URL).content.decode()
    for heading in ("Compliance status", "Non-accessible content", "Preparation of this statement",
                    "Feedback and contact information", "Enforcement procedure"):
        assert heading in html
    assert 'name="message"' in html and 'name="website_url"' in html
    assert '<label for="id_message">' in html


def test_feedback_reaches_every_coordinator_through_the_outbox(client, mailoutbox, django_capture_on_commit_callbacks):
    make_user("coordinator@library.example", is_staff=True, groups=("Network coordinators",))
    make_user("partner@library.example", is_staff=True, groups=("Partner coordinators",))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, GOOD, follow=True)
    assert response.redirect_chain[-1][0].endswith("/accessibility/#feedback")
    assert "Your feedback has been sent" in response.content.decode()
    assert sorted(m.to[0] for m in mailoutbox) == ["coordinator@library.example", "coordinators@network.example"]
    message = mailoutbox[0]
    assert message.reply_to == ["ana@example.org"]
    assert GOOD["message"] in message.body and "/events/" in message.body
    assert message.alternatives and GOOD["message"] in message.alternatives[0][0]
    assert OutgoingEmail.objects.filter(purpose="portal/accessibility_feedback").count() == 2


def test_feedback_in_slovenian_is_rendered_in_slovenian_page(client):
    response = client.get("/sl" + URL)
    assert response.status_code == 200 and '<html lang="sl">' in response.content.decode()


def test_errors_are_summarised_and_tied_to_their_fields(client):
    response = client.post(URL, {"message": "  ", "email": "not-an-address"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-error-summary" in html and 'role="alert"' in html
    assert 'href="#id_message"' in html and 'href="#id_email"' in html
    assert re.search(r'aria-describedby="[^"]*\bid_email_error\b[^"]*"[^>]*id="id_email"', html)
    assert 'id="id_email_error"' in html and 'aria-invalid="true"' in html
    assert not OutgoingEmail.objects.exists()


def test_the_honeypot_stops_bots(client):
    response = client.post(URL, {**GOOD, "website_url": "http://spam.example"})
    assert response.status_code == 200
    assert not OutgoingEmail.objects.exists()


def test_feedback_is_rate_limited_per_address(client, settings):
    settings.RATELIMIT_ENABLED = True
    statuses = [client.post(URL, GOOD).status_code for _ in range(6)]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    assert OutgoingEmail.objects.count() == 5  # one coordinator address, five messages


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(["message", "page", "name", "email", "website_url"]),
                            st.text(max_size=300)))
def test_garbage_input_never_gives_a_500_and_stores_nothing_half(client, settings, data):
    settings.RATELIMIT_ENABLED = False
    before = OutgoingEmail.objects.count()
    response = client.post(URL, data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert OutgoingEmail.objects.count() == before
