"""GDPR access and erasure cover login accounts: the user, allauth's email addresses and that a
second factor exists (never its secret); erasure deletes the account, or keeps a blanked and
deactivated one where deleting it would delete the admin history (``portal.personal_data``)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from network.models import Partner
from portal.privacy import find_address
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
ADDRESS = "Ana.Novak@Library.example"
address = ADDRESS.lower()


@pytest.fixture
def account(db):
    """A coordinator with a second, confirmed address and an authenticator app."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = make_user(ADDRESS, is_staff=True, groups=("Network coordinators",))
    user.first_name, user.last_name = "Ana", "Novak"
    user.save()
    EmailAddress.objects.create(user=user, email="ana@home.example", verified=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def export(email: str) -> dict:
    out = StringIO()
    call_command("personal_data", "export", email, stdout=out)
    return json.loads(out.getvalue())


def erase(email: str) -> str:
    out = StringIO()
    call_command("personal_data", "erase", email, stdout=out, stderr=out)
    return out.getvalue()


def test_export_contains_the_account_its_addresses_and_that_a_second_factor_exists(account):
    user, secret = account
    data = export(ADDRESS.upper())
    [row] = data["login_accounts"]
    assert (row["id"], row["email"], row["first_name"], row["is_staff"]) == (user.pk, user.email, "Ana", True)
    assert row["groups"] == ["Network coordinators"]
    assert "password" not in row
    assert sorted(a["email"] for a in data["login_email_addresses"]) == sorted([ADDRESS, "ana@home.example"])
    assert [f["type"] for f in data["second_factors"]] == ["totp"]
    dumped = json.dumps(data)
    assert secret not in dumped and user.password not in dumped and '"data"' not in dumped


def test_a_confirmed_second_address_finds_the_account_too(account):
    user, _secret = account
    assert [row["id"] for row in export("ana@home.example")["login_accounts"]] == [user.pk]


def test_erasure_deletes_an_account_without_admin_history(account, django_user_model):
    user, _secret = account
    printed = erase(ADDRESS)
    assert not django_user_model.objects.filter(pk=user.pk).exists()
    assert not EmailAddress.objects.filter(user_id=user.pk).exists()
    assert not Authenticator.objects.filter(user_id=user.pk).exists()
    assert find_address(address) == [] and find_address("ana@home.example") == []
    assert "login accounts deleted: 1" in printed
    assert "The address is still held in" not in printed


def test_erasure_keeps_the_admin_history_of_an_account_blanked_and_locked(account, django_user_model, client):
    from tests.conftest import PASSWORD

    user, _secret = account
    entry = LogEntry.objects.create(
        user=user, content_type=ContentType.objects.get_for_model(Partner), object_id="7",
        object_repr="Kovač Lab", action_flag=CHANGE, change_message="[]",
    )
    printed = erase(ADDRESS)
    user.refresh_from_db()
    assert (user.username, user.email, user.first_name, user.last_name) == (f"erased-{user.pk}", "", "", "")
    assert not (user.is_active or user.is_staff or user.is_superuser or user.has_usable_password())
    assert not user.groups.exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert LogEntry.objects.get(pk=entry.pk).user_id == user.pk, "who changed what is still recorded"
    assert find_address(address) == []
    assert f"archived and blanked: auth.User#{user.pk}" in printed
    client.post("/accounts/login/", {"login": ADDRESS, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_an_address_someone_added_without_confirming_loses_only_its_own_row(django_user_model):
    other = make_user("boris@library.example", is_staff=True)
    EmailAddress.objects.create(user=other, email=ADDRESS, verified=False)
    assert export(ADDRESS)["login_accounts"] == []
    erase(ADDRESS)
    assert django_user_model.objects.filter(pk=other.pk, is_active=True).exists()
    assert list(EmailAddress.objects.filter(user=other).values_list("email", flat=True)) == ["boris@library.example"]
    assert find_address(address) == []
