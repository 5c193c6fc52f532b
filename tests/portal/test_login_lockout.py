"""Wrong passwords lock out the address that sends them, not the account's owner: allauth's
per-account limit counts per client address and account, and an account under attack answers
after a short delay that grows with its recent failures, capped (``portal.accounts``)."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from portal.accounts import CoordinatorAccountAdapter
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
GUESSER = "203.0.113.7"
OWNER = "198.51.100.20"


@pytest.fixture
def owner(db):
    return make_user("ana@library.example", is_staff=True, groups=("Network coordinators",))


def attempt(email: str, password: str, *, ip: str) -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=ip)
    return client, client.post(LOGIN, {"login": email, "password": password})


def test_five_wrong_passwords_from_one_address_do_not_lock_the_owner_out_from_another(owner):
    for _ in range(5):
        client, response = attempt(owner.email, "wrong password", ip=GUESSER)
        assert response.status_code == 200 and "_auth_user_id" not in client.session

    client, response = attempt(owner.email, PASSWORD, ip=GUESSER)
    assert "_auth_user_id" not in client.session, "the guessing address stays locked, even with the password"
    assert "Too many failed login attempts" in response.content.decode()

    started = time.monotonic()
    client, response = attempt(owner.email, PASSWORD, ip=OWNER)
    waited = time.monotonic() - started
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
    # Five recent failures: two beyond the free ones, so the owner's login waited half a second.
    assert waited >= 2 * CoordinatorAccountAdapter.LOGIN_DELAY_STEP


def test_behind_a_proxy_the_limit_is_per_visitor_not_per_proxy(owner, settings):
    settings.RATELIMIT_TRUSTED_PROXIES = 1
    for n in range(10):  # ten failures for ten different accounts from one visitor
        Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=GUESSER).post(
            LOGIN, {"login": f"nobody{n}@example.org", "password": "wrong password"}
        )
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=OWNER)
    client.post(LOGIN, {"login": owner.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_the_delay_grows_with_recent_failures_and_is_capped():
    delays = [CoordinatorAccountAdapter().login_delay(failures) for failures in range(12)]
    assert delays[:4] == [0, 0, 0, 0], "a few typos cost nothing"
    assert delays[4:7] == [0.25, 0.5, 0.75]
    assert delays == sorted(delays)
    assert max(delays) == CoordinatorAccountAdapter.LOGIN_DELAY_CAP <= 2


def test_the_delay_does_not_tell_a_right_password_from_a_wrong_one(owner, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr("portal.accounts.time.sleep", waits.append)
    for n in range(6):
        attempt(owner.email, "wrong password", ip=f"192.0.2.{n}")
    attempt(owner.email, PASSWORD, ip="192.0.2.100")  # a success adds no failure…
    attempt(owner.email, "wrong password", ip="192.0.2.101")
    assert waits[-2] == waits[-1] == 0.75  # …so both waited the same, before the password was checked
