"""Site pages (home, about, privacy, accessibility, news), the health check and error pages."""

from __future__ import annotations

import sys

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import services
from .cache import cached_public_page
from .forms import AccessibilityFeedbackForm
from .models import NewsItem
from .ratelimit import limit_public_form


@cached_public_page
def home(request: HttpRequest) -> HttpResponse:
    """What the network is, what is next, the latest news: read through the apps' query methods."""
    from events.models import Session
    from network.models import Partner

    upcoming = (
        Session.objects.public().upcoming().select_related("event").order_by("start")[:4]
    )
    context = {
        "partner_count": Partner.objects.published().network_partners().count(),
        "upcoming_sessions": upcoming,
        "latest_news": NewsItem.objects.published()[:3],
    }
    return render(request, "portal/home.html", context)


@cached_public_page(params=["page"])
def news_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(NewsItem.objects.published(), 20).get_page(request.GET.get("page"))
    return render(request, "portal/news_list.html", {"page": page})


@cached_public_page
def news_detail(request: HttpRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(NewsItem.objects.published().select_related("related_event"), slug=slug)
    return render(request, "portal/news_detail.html", {"item": item})


@cached_public_page
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/about.html", {})


@cached_public_page
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


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return "error"
    return "ok"


def _check_cache() -> str:
    try:
        cache.set("healthz", "ok", 5)
        return "ok" if cache.get("healthz") == "ok" else "error"
    except Exception:
        return "error"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=1)
    except Exception:
        return "error"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers; cache and broker are reported but do not fail it
    (the site keeps working, and email waits in the outbox, while Redis is down)."""
    state = {"database": _check_database(), "cache": _check_cache(), "broker": _check_broker()}
    status = 200 if state["database"] == "ok" else 503
    return JsonResponse({"status": "ok" if status == 200 else "error", **state}, status=status)





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
