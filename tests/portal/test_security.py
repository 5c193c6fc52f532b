"""Production security: check --deploy passes, every public response carries the headers, and
``portal/settings.py`` turns on HSTS, the HTTPS redirect and secure cookies exactly when the site
is served over HTTPS."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.portal.test_settings import GOOD

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(GOOD, VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("path", ["/", "/sl/", "/news/", "/partners/", "/this-page-does-not-exist/"])
def test_public_responses_carry_the_security_headers(client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


# --- HTTPS hardening, from the settings module itself ---------------------------------------------

HTTPS_SETTINGS = (
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
)


def production_settings(monkeypatch, site_url: str) -> ModuleType:
    """A fresh copy of ``portal/settings.py`` executed with production's environment (``DEBUG`` off)
    and ``site_url``. It is loaded under a name of its own: ``portal.settings`` and the running
    ``django.conf.settings`` are not touched, and ``monkeypatch`` restores the environment."""
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD"):
        monkeypatch.delenv(name, raising=False)  # the defaults, as production starts without them
    for name, value in {**GOOD, "SITE_URL": site_url}.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("portal_settings_under_test", ROOT / "portal" / "settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_https_production_sends_hsts_and_secure_cookies(monkeypatch, settings, client):
    loaded = production_settings(monkeypatch, "https://portal.example.org")
    assert loaded.DEBUG is False
    assert loaded.SECURE_HSTS_SECONDS == 31536000
    assert loaded.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert loaded.SECURE_SSL_REDIRECT is True
    assert loaded.SESSION_COOKIE_SECURE is True and loaded.CSRF_COOKIE_SECURE is True
    assert loaded.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    # Served with exactly these values: the header on HTTPS, a redirect from plain HTTP.
    for name in HTTPS_SETTINGS:
        setattr(settings, name, getattr(loaded, name))
    response = client.get("/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000; includeSubDomains")
    insecure = client.get("/")
    assert insecure.status_code == 301 and insecure["Location"] == "https://testserver/"


def test_an_http_site_url_gives_no_hsts_and_no_redirect(monkeypatch, settings, client):
    loaded = production_settings(monkeypatch, "http://portal.example.org")
    assert loaded.DEBUG is False
    assert loaded.SECURE_HSTS_SECONDS == 0
    assert loaded.SECURE_HSTS_INCLUDE_SUBDOMAINS is False
    assert loaded.SECURE_SSL_REDIRECT is False
    assert loaded.SESSION_COOKIE_SECURE is False and loaded.CSRF_COOKIE_SECURE is False
    for name in HTTPS_SETTINGS:
        setattr(settings, name, getattr(loaded, name))
    response = client.get("/", secure=True)
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response
    assert client.get("/").status_code == 200
