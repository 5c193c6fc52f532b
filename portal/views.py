"""Site pages (home, search, about, privacy, accessibility, news) and the error pages."""

from __future__ import annotations

import sys

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.cache import ContentArea, cached_public_page
from core.ratelimit import limit_public_form
from events.models import Event, Registration, Session
from network.models import Partner
from projects.models import Project

from . import search as site_search
from . import services
from .forms import AccessibilityFeedbackForm
from .models import NewsItem

# The home page shows this many upcoming events, featured projects and news items.
HOME_EVENTS = 4
HOME_PROJECTS = 3
HOME_NEWS = 3


def _upcoming_events(limit: int) -> list[Event]:
    """The next ``limit`` published events with a date still to come, soonest first: one per
    event, however many dates it has, with ``next_session`` (its next date) and ``upcoming_dates``
    (how many are still to come). Two queries."""
    now = timezone.now()
    ahead = Q(sessions__status=Session.Status.SCHEDULED, sessions__end__gte=now)
    events = list(
        Event.objects.filter(status=Event.Status.PUBLISHED)
        .annotate(next_start=Min("sessions__start", filter=ahead), upcoming_dates=Count("sessions", filter=ahead))
        .filter(upcoming_dates__gt=0)
        .order_by("next_start", "id")[:limit]
    )
    by_id = {event.pk: event for event in events}
    sessions = Session.objects.filter(event__in=events, status=Session.Status.SCHEDULED, end__gte=now).order_by(
        "start", "id"
    )
    for session in sessions:
        event = by_id[session.event_id]
        if not hasattr(event, "next_session"):
            session.event = event  # no query per row in the template
            event.next_session = session
    return [event for event in events if hasattr(event, "next_session")]


def _network_in_numbers() -> dict[str, int]:
    """Counts only: published partners, public projects, sessions held (ended and not cancelled,
    of published events) and the registrations for them that were not cancelled. Only what has
    taken place is counted, so a registration for what is still to come leaves the home page in
    the cache (it names no seats area): the figures move when sessions end, which the page's
    cache lifetime follows within minutes."""
    held = Session.objects.going_ahead().filter(end__lt=timezone.now())
    return {
        "partners": Partner.objects.published().network_partners().count(),
        "projects": Project.objects.public().count(),
        "sessions_held": held.count(),
        "registrations": Registration.objects.active().filter(session__in=held).count(),
    }


@cached_public_page(areas=[ContentArea.DIRECTORY, ContentArea.EVENTS, ContentArea.NEWS, ContentArea.PROJECTS])
def home(request: HttpRequest) -> HttpResponse:
    """What the network is, what is next, its featured projects and latest news, and the network in
    numbers: read through the apps' query methods, a constant number of queries."""
    context = {
        "upcoming_events": _upcoming_events(HOME_EVENTS),
        "featured_projects": list(
            Project.objects.public().featured().select_related("lead_partner").in_title_order()[:HOME_PROJECTS]
        ),
        "latest_news": NewsItem.objects.published()[:HOME_NEWS],
        "numbers": _network_in_numbers(),
    }
    return render(request, "portal/home.html", context)


def search(request: HttpRequest) -> HttpResponse:
    """``/search/?q=``: every kind of record at once (``portal.search``). Not kept in the page
    cache: each query is its own page, and one a visitor made up need not fill the cache; the
    search reads a constant number of rows and its folded texts and names are cached instead."""
    raw = request.GET.get("q", "")
    query = site_search.clean_query(raw)
    error = ""
    results = None
    if len(query) > site_search.QUERY_MAX_LENGTH:
        error = _("Please use at most %(limit)d characters.") % {"limit": site_search.QUERY_MAX_LENGTH}
    elif query:
        results = site_search.search_site(query)
    context = {
        "query": query[: site_search.QUERY_MAX_LENGTH],
        "error": error,
        "results": results,
        "suggestion_url": site_search.suggestion_url(results.suggestion) if results and results.suggestion else "",
        "max_length": site_search.QUERY_MAX_LENGTH,
    }
    return render(request, "portal/search.html", context, status=400 if error else 200)


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
