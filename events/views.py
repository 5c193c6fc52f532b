"""Public event pages, the calendar feed, the JSON API and the registration manage link.

No view here ever shows a meeting's join link: events knows nothing of meetings, and the
registration pages only say "check your inbox".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods

from core.cache import ContentArea, cached_public_page
from core.content import current_language, in_language, language_tagged, localised
from core.jsonld import to_json_ld
from core.ratelimit import RateLimited, limit_public_form, limited_client, too_many_requests
from core.sites import absolute_url

from . import calendar, services
from .filters import EventFilter
from .forms import CONSENT_TEXT, RegistrationForm, open_sessions
from .models import Event, Registration, Session

PAGE_SIZE = 20


def _get_public_event(slug: str) -> Event:
    return get_object_or_404(Event.objects.published().prefetch_related("organisers", "presenters"), slug=slug)


@cached_public_page(areas=[ContentArea.EVENTS, ContentArea.DIRECTORY], params=[*EventFilter.base_filters, "page"])
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    events = Event.objects.published().with_listing_data()
    event_filter = EventFilter(request.GET, queryset=events, request=request)
    page = Paginator(event_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "events/event_list.html",
        {"filter": event_filter, "page": page, "query_string": query.urlencode(), "now": timezone.now()},
    )


def handle_registration(
    request: HttpRequest,
    event: Event,
    *,
    template: str,
    context: dict[str, Any],
    success_url: Callable[[], str],
) -> HttpResponse:
    """Show the registration form for ``event``; on a valid POST call ``services.register`` and
    redirect to the "check your inbox" page — a repeat as much as a new registration. Problems
    (full, closed…) re-render with the message, the same whether or not the address is
    registered — a client that has used up its allowance for the session included; over the
    hourly limit on plus-tagged addresses, the 429 page. The view's decorator
    (``limit_public_form(per_address=None)``) counts every POST per client; the allowances for new
    registrations (per client per session, per plus-tagged address) are counted by
    ``services.register``."""
    sessions = open_sessions(event.pk)
    form = RegistrationForm(request.POST or None, sessions=sessions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.register(
                session=data["session"],
                name=data["name"],
                email=data["email"],
                affiliation=data["affiliation"],
                role=data["role"],
                consent_text=str(CONSENT_TEXT),
                mailing_list_opt_in=data["mailing_list_opt_in"],
                language=translation.get_language() or "en",
                client=limited_client(request),
            )
        except RateLimited as exc:
            return too_many_requests(request, retry_after=exc.retry_after)
        except services.RegistrationError as exc:
            form.add_error("session", exc.message)
        else:
            return redirect(success_url())
    all_sessions = list(Session.objects.filter(event=event).with_counts().order_by("start"))
    for session in all_sessions:
        session.event = event  # read by is_cancelled: no query per session
    now = timezone.now()
    return render(
        request,
        template,
        {
            "event": event,
            "form": form,
            "has_open_sessions": bool(form.fields["session"].queryset),
            "upcoming_sessions": [s for s in all_sessions if s.end >= now],
            "past_sessions": [s for s in all_sessions if s.end < now],
            "ld_json": _json_ld(event, all_sessions),
            **context,
        },
        status=200,
    )


@require_http_methods(["GET", "POST"])
@limit_public_form(scope="registration", per_address=None)
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = _get_public_event(slug)
    return handle_registration(
        request,
        event,
        template="events/event_detail.html",
        context={},
        success_url=lambda: _url("events:registered", slug=event.slug),
    )


def _url(name: str, **kwargs: Any) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs)


@require_GET
def registered(request: HttpRequest, slug: str) -> HttpResponse:
    event = _get_public_event(slug)
    return render(request, "events/registered.html", {"event": event})


def _ld_text(obj: Any, field: str) -> str | dict[str, str] | None:
    """A record's text for JSON-LD in the page's language: a plain string, or, where it is the
    other language's value shown as a fallback, a value object carrying that language; ``None``
    when neither language has one."""
    value, language = localised(obj, field)
    if not value:
        return None
    return value if language == current_language() else {"@value": value, "@language": language}


def _ld_name(obj: Any, field: str) -> str | dict[str, str] | list[dict[str, str]] | None:
    """A name for JSON-LD: written in both languages, every language's value as a language-tagged
    value object (the page's language first); else as ``_ld_text``."""
    tagged = language_tagged(obj, field)
    if len(tagged) < 2:
        return _ld_text(obj, field)
    page_language = current_language()
    return sorted(tagged, key=lambda value: value["@language"] != page_language)


def _json_ld(event: Event, sessions: list[Session]) -> SafeString:
    """schema.org Event data. The location of an online event is its public page, never a
    meeting link. Texts are in the page's language (a fallback tagged with its own language),
    names in every language they are written in; ``inLanguage`` is the language the event is
    held in."""
    url = absolute_url(event.get_absolute_url())
    now = timezone.now()
    upcoming = [s for s in sessions if s.end >= now and s.status == Session.Status.SCHEDULED]
    session = upcoming[0] if upcoming else (sessions[-1] if sessions else None)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": _ld_name(event, "title"),
        "url": url,
        "eventAttendanceMode": event.attendance_mode_schema,
        "eventStatus": "https://schema.org/EventCancelled"
        if (session.is_cancelled if session else event.status == Event.Status.CANCELLED)
        else "https://schema.org/EventScheduled",
        "inLanguage": event.language,
    }
    description = _ld_text(event, "summary")
    if description:
        data["description"] = description
    if session:
        data["startDate"] = session.local_start().isoformat()
        data["endDate"] = session.local_end().isoformat()
    locations: list[dict[str, Any]] = []
    if event.mode in (Event.Mode.ONLINE, Event.Mode.HYBRID):
        locations.append({"@type": "VirtualLocation", "url": url})
    if event.mode in (Event.Mode.IN_PERSON, Event.Mode.HYBRID):
        venue = _ld_text(event, "venue")
        locations.append({"@type": "Place", "name": venue or _ld_name(event, "title"), "address": venue or ""})
    data["location"] = locations[0] if len(locations) == 1 else locations
    organisers = [
        {"@type": "Organization", "name": _ld_name(p, "name"), "url": absolute_url(p.get_absolute_url())}
        for p in event.organisers.all()
    ]
    if organisers:
        data["organizer"] = organisers
    performers = [{"@type": "Organization", "name": _ld_name(p, "name")} for p in event.presenters.all()]
    if performers:
        data["performer"] = performers
    return to_json_ld(data)


@cached_public_page(areas=[ContentArea.EVENTS])
@require_GET
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """The public calendar: published sessions from ``FEED_PAST_DAYS`` ago on. No join links, no people."""
    sessions = (
        Session.objects.public()
        .filter(end__gte=timezone.now() - calendar.FEED_PAST_DAYS)
        .select_related("event")
        .order_by("start")
    )
    response = HttpResponse(calendar.public_feed(sessions), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    return response


def _in_both_languages(obj: Any, field: str) -> dict[str, str]:
    """``{"title": …, "title_sl": …}`` for the API: the English value under the field's own name
    (the Slovenian one where no English was written, as the English pages show it), and the
    Slovenian value as written under ``<field>_sl`` ("" where there is none)."""
    return {field: localised(obj, field, "en").value, f"{field}_sl": in_language(obj, field, "sl")}


@cached_public_page(areas=[ContentArea.EVENTS, ContentArea.DIRECTORY])
@require_GET
def api_events(request: HttpRequest) -> JsonResponse:
    """Read-only JSON of published events with their sessions (upcoming and the last ``FEED_PAST_DAYS``).
    Every translated text is given in both languages, under /sl/ as under / (``title`` in English,
    ``title_sl`` in Slovenian, see ``_in_both_languages``), so a client chooses; links lead to
    the pages in the URL's language."""
    cutoff = timezone.now() - calendar.FEED_PAST_DAYS
    events = (
        Event.objects.published()
        .prefetch_related(
            "organisers", Prefetch("sessions", queryset=Session.objects.filter(end__gte=cutoff).order_by("start"))
        )
        .order_by("title_en", "id")  # "title" alone would sort by the active language's column
    )
    payload = []
    for event in events:
        sessions = list(event.sessions.all())
        payload.append(
            {
                **_in_both_languages(event, "title"),
                "slug": event.slug,
                "url": absolute_url(event.get_absolute_url()),
                "kind": event.kind,
                "mode": event.mode,
                "language": event.language,
                "status": event.status,
                **_in_both_languages(event, "summary"),
                "organisers": [
                    {**_in_both_languages(p, "name"), "url": absolute_url(p.get_absolute_url())}
                    for p in event.organisers.all()
                ],
                "sessions": [
                    {
                        "start": s.start.isoformat(),
                        "end": s.end.isoformat(),
                        "time_zone": s.time_zone,
                        "status": s.status,
                    }
                    for s in sessions
                ],
            }
        )
    return JsonResponse({"events": payload}, json_dumps_params={"ensure_ascii": False})


@require_http_methods(["GET", "POST"])
def manage_registration(request: HttpRequest, token: str) -> HttpResponse:
    """The private manage link: GET shows a confirmation form, POST cancels. Read-only when the
    session (or its event) has been cancelled: the person has already been told."""
    registration = services.registration_for_token(token)
    if registration is None:
        raise Http404
    session = registration.session
    session_cancelled = session.is_cancelled
    cancelled_now = False
    if request.method == "POST" and registration.status != Registration.Status.CANCELLED and not session_cancelled:
        registration = services.cancel_registration(registration=registration)
        cancelled_now = True
    return render(
        request,
        "events/manage_registration.html",
        {
            "registration": registration,
            "session": registration.session,
            "event": registration.session.event,
            "cancelled_now": cancelled_now,
            "session_cancelled": session_cancelled,
        },
    )
