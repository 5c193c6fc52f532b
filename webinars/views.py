"""``/webinars/``: the list of webinar series. A series has no page of its own: its event's page
(``/events/<slug>/``) is the one canonical page, with the registration form and the webinar's
facts, and ``/webinars/<slug>/`` redirects there permanently.

The join link is never shown here.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.cache import ContentArea, cached_public_page

from .models import Webinar

PAGE_SIZE = 20


def _get_public_webinar(slug: str) -> Webinar:
    return get_object_or_404(Webinar.objects.published().select_related("event"), event__slug=slug)


@cached_public_page(areas=[ContentArea.EVENTS, ContentArea.SEATS, ContentArea.DIRECTORY])
@require_GET
def webinar_list(request: HttpRequest) -> HttpResponse:
    webinars = Webinar.objects.published().with_listing_data()
    page = Paginator(webinars, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "webinars/webinar_list.html", {"page": page, "query_string": ""})


class HttpResponsePermanentRedirectKeepingMethod(HttpResponsePermanentRedirect):
    """308: a form still posted to the old address (a page open since before the move) is
    posted again, body and all, to the new one."""

    status_code = 308


def _to_canonical(request: HttpRequest, url: str) -> HttpResponse:
    if request.method in ("GET", "HEAD"):
        return HttpResponsePermanentRedirect(url)
    return HttpResponsePermanentRedirectKeepingMethod(url)


def webinar_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """301 to the event's page, in the same language (308 for a POST)."""
    webinar = _get_public_webinar(slug)
    return _to_canonical(request, webinar.event.get_absolute_url())


def registered(request: HttpRequest, slug: str) -> HttpResponse:
    """The result page lives with the event page: 301 there."""
    webinar = _get_public_webinar(slug)
    return _to_canonical(request, reverse("events:registered", kwargs={"slug": webinar.event.slug}))
