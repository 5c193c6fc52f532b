"""Rate limits on public forms: per client for every POST, per address for accepted ones (plus
tags counted together), held in the database (so they work while Redis is down), the client seen
through trusted proxies, and the 429 page stating the real wait with ``Retry-After``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory
from django.utils import translation

from core.email_address import limit_key
from core.ratelimit import client_ip, exhausted, hit, limit_public_form, parse_rate, too_many_requests

pytestmark = pytest.mark.django_db


def test_parse_rate():
    assert parse_rate("5/h") == (5, 3600)
    assert parse_rate("20/10m") == (20, 600)


def test_hit_counts_up_to_the_limit():
    assert [hit(scope="t", key="k", rate="3/h") for _ in range(4)] == [True, True, True, False]
    assert exhausted(scope="t", key="k", rate="3/h")
    assert not exhausted(scope="t", key="other", rate="3/h")


def _view(accepted: bool, per_client: str = "10/h", per_address: str | None = "2/h"):
    @limit_public_form(scope="test-form", per_client=per_client, per_address=per_address)
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


def test_the_limit_key_drops_plus_tags_and_case():
    assert limit_key(" Ana+events@Example.ORG ") == "ana@example.org"
    assert limit_key("ana+a+b@x.org") == "ana@x.org"
    assert limit_key("ana@x.org") == "ana@x.org"
    assert limit_key("not an address") == "not an address"


def test_plus_tags_share_the_address_allowance():
    accepted = _view(True)
    codes = [_post(accepted, email=e, ip="198.51.100.1") for e in ("ana@example.org", "ana+1@example.org", "Ana+2@example.org")]
    assert codes == [302, 302, 429]


def test_an_address_allowance_can_be_left_to_the_view():
    accepted = _view(True, per_address=None)
    assert [_post(accepted, ip=f"198.51.100.{n}") for n in range(4)] == [302] * 4


@pytest.mark.parametrize(
    "rate, now, wait, shown",
    [
        ("2/h", datetime(2030, 3, 4, 9, 10, tzinfo=UTC), 50 * 60, "about 50 minutes"),
        ("2/10m", datetime(2030, 3, 4, 9, 10, 30, tzinfo=UTC), 9 * 60 + 30, "about 10 minutes"),
        ("2/h", datetime(2030, 3, 4, 9, 59, 40, tzinfo=UTC), 20, "about 1 minute"),
    ],
)
def test_the_429_page_states_the_real_wait_and_sends_retry_after(rate, now, wait, shown):
    view = _view(False, per_client=rate)
    with time_machine.travel(now, tick=False):
        for _ in range(2):
            assert _post(view) == 200
        response = view(RequestFactory().post("/form/", {"email": "a@example.org"}, REMOTE_ADDR="203.0.113.7"))
    assert response.status_code == 429
    assert response["Retry-After"] == str(wait)
    text = response.content.decode()
    assert shown in text and "a few minutes" not in text


@pytest.mark.parametrize("seconds, shown", [(60, "1 minuto"), (120, "2 minuti"), (180, "3 minute"), (3000, "50 minut")])
def test_the_wait_is_told_in_slovenian_with_its_plural(rf, seconds, shown):
    with translation.override("sl"):
        response = too_many_requests(rf.get("/sl/"), retry_after=seconds)
    assert f"čez približno {shown}." in response.content.decode()
