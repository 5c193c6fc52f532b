"""The benchmark's least registration post (``bench/urls.py``): what the registration numbers are
read against must itself be a real post — CSRF-checked, validated, one row stored, redirected."""

import pytest
from django.test import Client
from django.utils.crypto import get_random_string

from events.models import Registration
from tests.events.factories import SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.urls")]


def _post(client, session, **changes):
    secret = get_random_string(32)  # the cookie's secret; Django also takes it unmasked as the token
    client.cookies["csrftoken"] = secret
    data = {"csrfmiddlewaretoken": secret, "session": session.pk, "name": "Ana", "email": "ana@example.org",
            "affiliation": "", "role": "", "consent": "on", **changes}
    return client.post("/bench/least-post/", data)


def test_a_valid_post_stores_one_row_and_redirects_to_a_result_page():
    session = SessionFactory()
    response = _post(Client(enforce_csrf_checks=True), session)
    assert response.status_code == 302
    assert "/registered/" in response["Location"]
    assert list(Registration.objects.filter(session=session).values_list("email", flat=True)) == ["ana@example.org"]


def test_bad_input_stores_nothing():
    session = SessionFactory()
    response = _post(Client(enforce_csrf_checks=True), session, email="not an address")
    assert response.status_code == 400
    assert not Registration.objects.filter(session=session).exists()


def test_a_post_without_its_csrf_token_is_refused():
    session = SessionFactory()
    response = Client(enforce_csrf_checks=True).post(
        "/bench/least-post/", {"session": session.pk, "name": "Ana", "email": "ana@example.org", "consent": "on"}
    )
    assert response.status_code == 403
    assert not Registration.objects.filter(session=session).exists()
