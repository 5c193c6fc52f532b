"""Coordinator accounts and what the server reveals: login rate limits, the admin only behind the
allauth login, an optional TOTP second factor a network coordinator can require (core.security),
and uploads served only as images with safe headers (core.media)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from core.models import SecurityPolicy
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


@pytest.fixture
def staff(db):
    return make_user("staff@library.example", is_staff=True, groups=("Network coordinators",))


def login(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password})


def test_the_sixth_attempt_from_one_address_for_an_account_is_refused_even_if_right(client, staff):
    """The owner elsewhere is not locked out: tests/portal/test_login_lockout.py."""
    for _ in range(5):
        response = login(client, staff.email, "wrong password")
        assert response.status_code == 200  # the form again, with its error
    response = login(client, staff.email, PASSWORD)
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_a_right_password_within_the_limit_logs_in(client, staff):
    for _ in range(4):
        login(client, staff.email, "wrong password")
    response = login(client, staff.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_the_admin_login_redirects_to_the_allauth_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_the_admin_needs_a_login(client):
    response = client.get("/admin/network/partner/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- Second factor ---------------------------------------------------------------------------


def test_totp_is_optional_by_default(client, staff):
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


def test_required_totp_sends_staff_without_it_to_the_setup_page(client, staff):
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"require_totp_for_staff": True})
    assert login(client, staff.email, PASSWORD).status_code == 302
    response = client.get("/admin/network/partner/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    setup = client.get(response["Location"])
    if setup.status_code == 302:  # allauth asks for the password again before adding a factor
        assert setup["Location"].startswith("/accounts/reauthenticate/")
        confirm = client.post(setup["Location"], {"password": PASSWORD})
        assert confirm.status_code == 302
        setup = client.get(confirm["Location"])
    assert setup.status_code == 200
    assert 'name="code"' in setup.content.decode()
    # Public pages are unaffected.
    assert client.get("/").status_code == 200


def activate_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def test_staff_with_totp_use_the_admin_when_it_is_required(client, staff):
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"require_totp_for_staff": True})
    activate_totp(staff)
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


def test_a_user_with_totp_is_asked_for_the_code_after_the_password(client, staff):
    activate_totp(staff)
    response = login(client, staff.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in client.session


def test_a_network_coordinator_can_switch_the_requirement_in_the_admin(client, staff):
    from network.services import ensure_coordinator_groups

    ensure_coordinator_groups()
    client.force_login(staff)
    response = client.get("/admin/core/securitypolicy/add/")
    assert response.status_code == 200
    response = client.post("/admin/core/securitypolicy/add/", {"require_totp_for_staff": "on"})
    assert response.status_code == 302
    assert SecurityPolicy.current().require_totp_for_staff is True


def test_the_mfa_settings_support_totp_and_recovery_codes(settings):
    assert settings.MFA_SUPPORTED_TYPES == ["totp", "recovery_codes"]
    assert "allauth.mfa" in settings.INSTALLED_APPS


# --- Uploaded files ----------------------------------------------------------------------------


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_uploaded_logos_are_served_as_images_with_safe_headers(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "partners" / "logos").mkdir(parents=True)
    (tmp_path / "partners" / "logos" / "alpha.png").write_bytes(_png())
    response = client.get("/media/partners/logos/alpha.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == _png()


@pytest.mark.parametrize("name", ["evil.svg", "evil.html", "evil.png.html", "../../etc/passwd"])
def test_anything_but_a_raster_image_is_not_served(client, settings, tmp_path, name):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "evil.svg").write_text("<svg onload=alert(1)></svg>")
    (tmp_path / "media" / "evil.html").write_text("<script>alert(1)</script>")
    (tmp_path / "media" / "evil.png.html").write_text("<script>alert(1)</script>")
    assert client.get(f"/media/{name}").status_code == 404
