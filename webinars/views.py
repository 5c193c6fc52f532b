"""``/webinars/``: the webinar series, and each series' page with the registration form.

The join link is never shown here: after registering, the visitor is sent to a page that says
"check your inbox".
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.cache import ContentArea, cached_public_page
from core.ratelimit import limit_public_form
from events.views import handle_registration

from .models import Webinar

PAGE_SIZE = 20


def _get_public_webinar(slug: str) -> Webinar:
    return get_object_or_404(
        Webinar.objects.published().select_related("event").prefetch_related("event__organisers", "event__presenters"),
        event__slug=slug,
    )


@cached_public_page(areas=[ContentArea.EVENTS, ContentArea.DIRECTORY])
@require_GET
def webinar_list(request: HttpRequest) -> HttpResponse:
    webinars = Webinar.objects.published().with_listing_data()
    page = Paginator(webinars, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "webinars/webinar_list.html", {"page": page, "query_string": ""})


@require_http_methods(["GET", "POST"])
@limit_public_form(scope="registration", per_address=None)  # see events.views.handle_registration
def webinar_detail(request: HttpRequest, slug: str) -> HttpResponse:
    webinar = _get_public_webinar(slug)
    return handle_registration(
        request,
        webinar.event,
        template="webinars/webinar_detail.html",
        context={"webinar": webinar},
        success_url=lambda: reverse("webinars:registered", kwargs={"slug": webinar.event.slug}),
    )


@require_GET
def registered(request: HttpRequest, slug: str) -> HttpResponse:
    webinar = _get_public_webinar(slug)
    return render(
        request, "events/registered.html", {"event": webinar.event, "back_url": webinar.get_absolute_url()}
    )
