"""Rate limits on public forms: per client for every POST, per address for accepted ones (the
address as typed: plus-tagged variants cannot use up the plain address's allowance), held in the
database (so they work while Redis is down), the client seen through trusted proxies (an IPv6
client by its /64), caps that do not renew before their end, and the 429 page stating the real
wait with ``Retry-After``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory
from django.utils import translation

from core.email_address import limit_key
from core.ratelimit import (
    Cap,
    Limit,
    client_ip,
    client_key,
    limit_public_form,
    parse_rate,
    purge_expired,
    too_many_requests,
)

pytestmark = pytest.mark.django_db


def test_parse_rate():
    assert parse_rate("5/h") == (5, 3600)
    assert parse_rate("20/10m") == (20, 600)


def test_hit_counts_up_to_the_limit():
    limit = Limit("t", "k", "3/h")
    assert [limit.hit() for _ in range(4)] == [True, True, True, False]
    assert limit.exhausted()
    assert not Limit("t", "other", "3/h").exhausted()


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


def test_an_ipv6_client_counts_by_its_64_network(rf):
    assert client_key(rf.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert client_key(rf.get("/", REMOTE_ADDR="2001:db8:1:2:bbbb::7")) == "2001:db8:1:2::/64"
    assert client_key(rf.get("/", REMOTE_ADDR="203.0.113.7")) == "203.0.113.7"
    assert client_key(rf.get("/", REMOTE_ADDR="::ffff:203.0.113.7")) == "::ffff:203.0.113.7"


def test_every_address_in_one_ipv6_64_shares_the_client_allowance():
    failing = _view(False, per_client="3/h")
    codes = [_post(failing, email=f"p{n}@example.org", ip=f"2001:db8::{n + 1:x}") for n in range(4)]
    assert codes == [200, 200, 200, 429]
    assert _post(failing, ip="2001:db8:0:1::1") == 200, "another /64"


def test_a_cap_does_not_renew_before_its_end_and_is_purged_after_it():
    now = datetime(2030, 3, 4, 9, 10, tzinfo=UTC)
    cap = Cap("test-cap", "k", 2, until=now + timedelta(days=90))
    with time_machine.travel(now, tick=False):
        assert [cap.hit(), cap.hit(), cap.hit()] == [True, True, False]
        assert cap.retry_after() == 90 * 86400
    with time_machine.travel(now + timedelta(days=89), tick=False):
        assert purge_expired() == 0
        assert cap.exhausted(), "no window of hours or days renews it"
    with time_machine.travel(now + timedelta(days=90, seconds=1), tick=False):
        assert purge_expired() == 1
        assert not cap.exhausted()


def test_the_limit_key_drops_plus_tags_and_case():
    assert limit_key(" Ana+events@Example.ORG ") == "ana@example.org"
    assert limit_key("ana+a+b@x.org") == "ana@x.org"
    assert limit_key("ana@x.org") == "ana@x.org"
    assert limit_key("not an address") == "not an address"


def test_plus_tagged_variants_cannot_use_up_the_plain_addresss_allowance():
    """A stranger's accepted posts with ana+1@, ana+2@… (each a different mailbox name to this
    limit) leave ana@ its whole allowance; the address as typed, in any case, is what counts."""
    accepted = _view(True)
    tagged = [f"ana+{n}@example.org" for n in range(1, 6)]
    assert [_post(accepted, email=e, ip=f"198.51.100.{n}") for n, e in enumerate(tagged)] == [302] * 5
    codes = [_post(accepted, email=e, ip="192.0.2.10") for e in ("ana@example.org", "Ana@Example.org", "ana@example.org")]
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


def test_an_upper_bound_is_stated_as_one(rf):
    text = too_many_requests(rf.get("/"), retry_after=3600, at_most=True).content.decode()
    assert "in at most 60 minutes" in text and "in about" not in text


@pytest.mark.parametrize("seconds, shown", [(60, "1 minuto"), (120, "2 minuti"), (180, "3 minute"), (3000, "50 minut")])
def test_the_wait_is_told_in_slovenian_with_its_plural(rf, seconds, shown):
    with translation.override("sl"):
        response = too_many_requests(rf.get("/sl/"), retry_after=seconds)
    assert f"čez približno {shown}." in response.content.decode()
