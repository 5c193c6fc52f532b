"""Rate limits on public forms: per client for every POST, per address for accepted ones, held
in the database (so they work while Redis is down), and the client seen through trusted proxies."""

from __future__ import annotations

import pytest
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory

from core.ratelimit import client_ip, exhausted, hit, limit_public_form, parse_rate

pytestmark = pytest.mark.django_db


def test_parse_rate():
    assert parse_rate("5/h") == (5, 3600)
    assert parse_rate("20/10m") == (20, 600)


def test_hit_counts_up_to_the_limit():
    assert [hit(scope="t", key="k", rate="3/h") for _ in range(4)] == [True, True, True, False]
    assert exhausted(scope="t", key="k", rate="3/h")
    assert not exhausted(scope="t", key="other", rate="3/h")


def _view(accepted: bool):
    @limit_public_form(scope="test-form", per_client="10/h", per_address="2/h")
    def view(request):
        return HttpResponseRedirect("/thanks/") if accepted else HttpResponse("form with errors")

    return view


def _post(view, email="ana@example.org", ip="203.0.113.7"):
    request = RequestFactory().post("/form/", {"email": email}, REMOTE_ADDR=ip)
    return view(request).status_code


def test_only_accepted_submissions_count_against_an_address():
    failing, accepted = _view(False), _view(True)
    assert [_post(failing, ip=f"198.51.100.{n}") for n in range(5)] == [200] * 5, "typos do not lock the address"
    assert [_post(accepted, ip=f"198.51.100.{n}") for n in range(3)] == [302, 302, 429]


def test_every_post_counts_against_the_client():
    failing = _view(False)
    codes = [_post(failing, email=f"p{n}@example.org") for n in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_client_address_through_trusted_proxies(settings, rf):
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.RATELIMIT_TRUSTED_PROXIES = 0
    assert client_ip(request) == "127.0.0.1"
    settings.RATELIMIT_TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.7", "the hop the proxy added, not one the client sent"
