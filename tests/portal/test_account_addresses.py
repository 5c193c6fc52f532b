"""Email verification is mandatory: an address added at ``/accounts/email/`` logs in (or receives
a password reset) only after its owner has confirmed it through the link, which goes out
through the outbox and at most once per address in three minutes. The demo logins and the test
cast have confirmed addresses."""

from __future__ import annotations

import pytest
from django.test import Client

from outbox.models import OutgoingEmail
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
ADDED = "second@elsewhere.example"


@pytest.fixture
def coordinator(db):
    return make_user("ana@library.example", is_staff=True, groups=("Network coordinators",))


def add_address(coordinator, address: str = ADDED) -> Client:
    client = Client()
    client.force_login(coordinator)
    response = client.post("/accounts/email/", {"email": address, "action_add": ""})
    assert response.status_code == 302
    return client


def confirmation_link(site_url: str, address: str = ADDED) -> str:
    body = OutgoingEmail.objects.get(to=address, purpose="account/email/email_confirmation").body_text
    return next(word for word in body.split() if word.startswith(f"{site_url}/accounts/confirm-email/"))


def test_an_added_address_cannot_log_in_until_it_is_confirmed(coordinator, settings, mailoutbox):
    from allauth.account.models import EmailAddress

    add_address(coordinator)
    assert not EmailAddress.objects.get(email=ADDED).verified
    assert mailoutbox == [], "nothing is sent during the request"
    link = confirmation_link(settings.SITE_URL)

    visitor = Client()
    response = visitor.post(LOGIN, {"login": ADDED, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in visitor.session

    # Its owner follows the link from the message; from then on the address logs in.
    path = link.removeprefix(settings.SITE_URL)
    assert visitor.get(path).status_code == 200
    assert visitor.post(path).status_code == 302
    assert EmailAddress.objects.get(email=ADDED).verified
    response = Client().post(LOGIN, {"login": ADDED, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_confirmation_mails_for_an_address_are_rate_limited(coordinator):
    client = add_address(coordinator)
    for _ in range(3):  # "re-send verification", at once
        client.post("/accounts/email/", {"email": ADDED, "action_send": ""})
    assert OutgoingEmail.objects.filter(to=ADDED).count() == 1


def test_an_unconfirmed_address_gets_no_password_reset(client, coordinator, mailoutbox):
    add_address(coordinator)
    OutgoingEmail.objects.all().delete()
    mailoutbox.clear()
    response = client.post("/accounts/password/reset/", {"email": ADDED})
    assert response.status_code == 302
    assert not OutgoingEmail.objects.exists() and mailoutbox == []
    client.post("/accounts/password/reset/", {"email": coordinator.email})
    assert OutgoingEmail.objects.filter(to=coordinator.email, purpose="account/email/password_reset_key").exists()


def test_an_account_made_in_the_admin_confirms_its_address_at_the_first_login(django_user_model, settings):
    user = django_user_model.objects.create_user(username="new", email="new@library.example", password=PASSWORD)
    client = Client()
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    path = confirmation_link(settings.SITE_URL, user.email).removeprefix(settings.SITE_URL)
    client.post(path)
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_demo_logins_log_in(seeded_with_demo):
    from network.demo import CTK_COORDINATOR_EMAIL, DEMO_PASSWORD, NETWORK_COORDINATOR_EMAIL

    for email in (NETWORK_COORDINATOR_EMAIL, CTK_COORDINATOR_EMAIL):
        client = Client()
        response = client.post(LOGIN, {"login": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302 and response["Location"] == "/admin/", email
        assert client.get("/admin/").status_code == 200
