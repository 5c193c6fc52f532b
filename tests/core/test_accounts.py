"""Accounts: who the network coordinators are (one definition for the admin, the emails and the
scoping), and no public sign-up."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from core.accounts import is_network_coordinator, network_coordinator_emails
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_coordinator_addresses_come_from_settings_and_the_group_once_each(settings):
    settings.NETWORK_COORDINATOR_EMAILS = ["Desk@network.example", ""]
    make_user("ana@network.example", groups=("Network coordinators",))
    make_user("desk@network.example", groups=("Network coordinators",))
    gone = make_user("gone@network.example", groups=("Network coordinators",))
    gone.is_active = False
    gone.save()
    make_user("partner@library.example", groups=("Partner coordinators",))
    assert network_coordinator_emails() == ["Desk@network.example", "ana@network.example"]


def test_who_is_a_network_coordinator():
    assert is_network_coordinator(make_user("nc@network.example", groups=("Network coordinators",)))
    assert is_network_coordinator(make_user("root@network.example", is_superuser=True))
    assert not is_network_coordinator(make_user("pc@library.example", groups=("Partner coordinators",)))
    assert not is_network_coordinator(AnonymousUser())


def test_coordinator_login_does_not_invite_a_public_sign_up(client, django_user_model):
    html = client.get("/accounts/login/").content.decode()
    assert "sign up" not in html.lower()
    assert "there is no public sign-up" in html
    signup = client.post("/accounts/signup/", {"email": "x@example.org", "password1": "a-Long-pass-123",
                                               "password2": "a-Long-pass-123"})
    assert signup.status_code in (200, 403)
    assert not django_user_model.objects.filter(email="x@example.org").exists(), "sign-up is closed"
