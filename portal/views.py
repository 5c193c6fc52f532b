"""Site pages (home, about, privacy, accessibility, news) and the error pages."""

from __future__ import annotations

import sys

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from core.cache import ContentArea, cached_public_page
from core.ratelimit import limit_public_form
from events.models import Session
from network.models import Partner

from . import services
from .forms import AccessibilityFeedbackForm
from .models import NewsItem


@cached_public_page(areas=[ContentArea.DIRECTORY, ContentArea.EVENTS, ContentArea.NEWS])
def home(request: HttpRequest) -> HttpResponse:
    """What the network is, what is next, the latest news: read through the apps' query methods."""
    upcoming = (
        Session.objects.public().upcoming().select_related("event").order_by("start")[:4]
    )
    context = {
        "partner_count": Partner.objects.published().network_partners().count(),
        "upcoming_sessions": upcoming,
        "latest_news": NewsItem.objects.published()[:3],
    }
    return render(request, "portal/home.html", context)


@cached_public_page(areas=[ContentArea.NEWS], params=["page"])
def news_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(NewsItem.objects.published(), 20).get_page(request.GET.get("page"))
    return render(request, "portal/news_list.html", {"page": page})


@cached_public_page(areas=[ContentArea.NEWS, ContentArea.EVENTS])
def news_detail(request: HttpRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(NewsItem.objects.published().select_related("related_event"), slug=slug)
    return render(request, "portal/news_detail.html", {"item": item})


@cached_public_page(areas=[])
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/about.html", {})


@cached_public_page(areas=[])
def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice; its retention periods are the ones ``portal.privacy`` applies."""
    retention = {
        "registration_days": settings.RETENTION_REGISTRATION_DAYS,
        "outbox_days": settings.RETENTION_OUTBOX_DAYS,
        "unconfirmed_days": settings.RETENTION_UNCONFIRMED_DAYS,
    }
    return render(request, "portal/privacy.html", {"retention": retention})


@limit_public_form(scope="accessibility-feedback", per_client="10/h")
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement and its feedback form; feedback goes to the coordinators by email."""
    form = AccessibilityFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.send_accessibility_feedback(
            message=data["message"], email=data["email"], name=data["name"], page=data["page"]
        )
        messages.success(request, _("Thank you. Your feedback has been sent to the network's coordinators."))
        return redirect(reverse("portal:accessibility") + "#feedback")
    return render(request, "portal/accessibility.html", {"form": form})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, or the 503 page when the cause is an unreachable database. Rendered
    without context processors so that it cannot fail on the database itself."""
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponse(render_to_string("500.html"), status=500)
