"""Site-wide behaviour: languages, error pages, the health check."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_home_is_english_at_root_and_slovenian_under_sl(client):
    english = client.get("/")
    slovene = client.get("/sl/")
    assert english.status_code == 200 and slovene.status_code == 200
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="sl">' in slovene.content.decode()


def test_base_template_has_skip_link_navigation_and_footer_links(client):
    html = client.get("/").content.decode()
    assert 'class="skip-link" href="#main"' in html
    for path in ("/partners/", "/working-groups/", "/services/", "/events/", "/webinars/", "/news/", "/join/"):
        assert f'href="{path}"' in html, path
    assert 'href="/privacy/"' in html and 'href="/accessibility/"' in html


def test_language_links_keep_the_visitor_on_the_same_page(client):
    html = client.get("/news/").content.decode()
    assert 'href="/sl/news/" lang="sl" hreflang="sl"' in html
    html = client.get("/sl/news/").content.decode()
    assert 'href="/news/" lang="en" hreflang="en"' in html


def test_language_link_on_a_404_page_keeps_the_path():
    from core.language import url_in_language

    assert url_in_language("/no-such-page/?a=1", "sl") == "/sl/no-such-page/?a=1"
    assert url_in_language("/sl/no-such-page/", "en") == "/no-such-page/"


def test_unknown_url_gets_the_sites_own_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'class="skip-link"' in html
    assert html.count("<h1") == 1


def test_unreachable_database_gets_a_503_page(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def database_down(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", database_down)
    client.raise_request_exception = False
    response = client.get("/partners/")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "temporarily unavailable" in response.content.decode()
    assert "Connection refused" not in response.content.decode()


def test_server_error_view_answers_503_for_database_errors(rf):
    from portal.views import server_error

    request = rf.get("/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()
    try:
        raise ValueError("boom")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    assert "boom" not in response.content.decode()


def test_healthz_reports_each_part(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {"status": "ok", "database": "ok", "cache": "ok", "broker": "eager"}


def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from core import health

    monkeypatch.setattr(health, "_check_database", lambda: "error")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "error"


def test_healthz_stays_200_when_redis_is_down(client, monkeypatch):
    from core import health

    monkeypatch.setattr(health, "_check_cache", lambda: "error")
    monkeypatch.setattr(health, "_check_broker", lambda: "error")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content)["broker"] == "error"


def test_coordinator_login_does_not_invite_a_public_sign_up(client):
    html = client.get("/accounts/login/").content.decode()
    assert "sign up" not in html.lower()
    assert "there is no public sign-up" in html
    signup = client.post("/accounts/signup/", {"email": "x@example.org", "password1": "a-Long-pass-123",
                                               "password2": "a-Long-pass-123"})
    from django.contrib.auth import get_user_model

    assert signup.status_code in (200, 403)
    assert not get_user_model().objects.filter(email="x@example.org").exists(), "sign-up is closed"


def test_home_introduces_the_network_in_the_visitors_language(client, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    from network.models import NetworkContact

    call_command("load_seeds", verbosity=0)
    english = client.get("/").content.decode()
    assert "we invite you to contact us and become part of the Citizen Science Network" in english
    slovene = client.get("/sl/").content.decode()
    assert "we invite you to contact us" not in slovene, "no English data on the Slovenian page"
    contact = NetworkContact.objects.get()
    contact.introduction_sl = "Mreža povezuje knjižnice in raziskovalce."
    with django_capture_on_commit_callbacks(execute=True):
        contact.save()
    assert "Mreža povezuje knjižnice in raziskovalce." in client.get("/sl/").content.decode()
