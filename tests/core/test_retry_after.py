"""allauth's own 429s (a password reset asked for too often, too many changes at /accounts/email/)
carry ``Retry-After`` and a page that states the same wait, derived from the rates configured for
that action in ``ACCOUNT_RATE_LIMITS`` — an upper bound, said as one ("at most")."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from core.middleware import RetryAfterMiddleware, allauth_wait
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"


def test_a_password_reset_asked_for_too_often_says_when_to_try_again(client):
    """``reset_password`` is "20/m/ip,5/m/key" (allauth's default): the sixth request for one
    address within a minute is refused, and the longest of those windows is a minute."""
    user = make_user("ana@network.example")
    codes = [client.post(RESET, {"email": user.email}).status_code for _ in range(5)]
    assert codes == [302] * 5
    refused = client.post(RESET, {"email": user.email})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    text = refused.content.decode()
    assert "Please try again in at most 1 minute." in text and "a few minutes" not in text
    assert refused.has_header("Content-Security-Policy"), "rendered inside the other middleware"


def test_the_wait_follows_the_configured_rates_of_that_action(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "20/m/ip,2/7m/key"}
    user = make_user("ana@network.example")
    for _ in range(2):
        assert client.post(RESET, {"email": user.email}).status_code == 302
    refused = client.post(RESET, {"email": user.email})
    assert refused.status_code == 429 and refused["Retry-After"] == str(7 * 60)
    assert "in at most 7 minutes" in refused.content.decode()


def test_too_many_changes_at_accounts_email_wait_up_to_the_hour(client):
    """``manage_email`` is "10/h/user" here: the page says an hour, not "a few minutes"."""
    client.force_login(make_user("ana@network.example"))
    codes = [client.post("/accounts/email/", {"action_send": "", "email": "ana@network.example"}).status_code
             for _ in range(11)]
    assert 429 not in codes[:10] and codes[10] == 429
    refused = client.post("/accounts/email/", {"action_send": "", "email": "ana@network.example"})
    assert refused["Retry-After"] == "3600"
    assert "in at most 60 minutes" in refused.content.decode()


def test_a_429_of_no_known_action_gets_the_longest_configured_window(settings):
    settings.ACCOUNT_RATE_LIMITS = {"manage_email": "10/h/user", "login_failed": "10/m/ip,5/90m/key"}
    assert allauth_wait("not_an_allauth_view") == 90 * 60
    assert allauth_wait(None) == 90 * 60
    assert allauth_wait("account_email") == 3600


def test_a_429_that_says_its_wait_is_left_alone_and_a_non_html_one_gets_only_the_header():
    def view_with(response):
        return RetryAfterMiddleware(lambda request: response)(RequestFactory().post("/x/"))

    own = HttpResponse("own page", status=429)
    own["Retry-After"] = "17"
    assert view_with(own) is own and own["Retry-After"] == "17"
    json = HttpResponse("{}", status=429, content_type="application/json")
    answered = view_with(json)
    assert answered is json and int(json["Retry-After"]) >= 60
    ok = HttpResponse("fine")
    assert view_with(ok) is ok and not ok.has_header("Retry-After")
