"""Site-wide behaviour: languages, the base template, error pages."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.urls import path

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
    for url in ("/partners/", "/working-groups/", "/services/", "/events/", "/webinars/", "/news/", "/join/"):
        assert f'href="{url}"' in html, url
    assert 'href="/privacy/"' in html and 'href="/accessibility/"' in html


def test_language_links_keep_the_visitor_on_the_same_page(client):
    html = client.get("/news/").content.decode()
    assert 'href="/sl/news/" lang="sl" hreflang="sl"' in html
    html = client.get("/sl/news/").content.decode()
    assert 'href="/news/" lang="en" hreflang="en"' in html


def test_unknown_url_gets_the_sites_own_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'class="skip-link"' in html
    assert html.count("<h1") == 1


def test_unreachable_database_gets_a_503_page(client, database_down):
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


def test_home_introduces_the_network_in_the_visitors_language(seeded, client, django_capture_on_commit_callbacks):
    from network.models import NetworkContact

    english = client.get("/").content.decode()
    assert "we invite you to contact us and become part of the Citizen Science Network" in english
    slovene = client.get("/sl/").content.decode()
    assert "we invite you to contact us" not in slovene, "no English data on the Slovenian page"
    contact = NetworkContact.objects.get()
    contact.introduction_sl = "Mreža povezuje knjižnice in raziskovalce."
    with django_capture_on_commit_callbacks(execute=True):
        contact.save()
    assert "Mreža povezuje knjižnice in raziskovalce." in client.get("/sl/").content.decode()


def broken_view(request):
    raise RuntimeError("secret-internal-detail /srv/portal/settings.py")


urlpatterns = [path("broken/", broken_view), path("ok/", lambda request: HttpResponse("ok"))]
handler500 = "portal.views.server_error"


def test_a_crash_with_debug_off_shows_the_plain_500_page(client, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "<h1" in body
    for leak in ("Traceback", "secret-internal-detail", "RuntimeError", "settings.py", "SECRET_KEY", "/srv/"):
        assert leak not in body, leak
