"""Public event pages, the calendar feed, the JSON API, the result page after registering and
one's own registration page at the signed link.

No public view shows a meeting's join link. The own page (and the personal calendar file behind
the same signed link) shows it to a confirmed registrant, asking the apps that know meetings
through ``signals.registrant_join_details``; those responses are private (``private_page``),
their error pages included.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import decorator_from_middleware
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.cache import ContentArea, cached_public_page
from core.content import for_api
from core.forms import PublicForm
from core.jsonld import ld_name, ld_text, to_json_ld
from core.ratelimit import RateLimited, limit_public_form, limited_client, too_many_requests
from core.sites import absolute_url

from . import calendar, certificates, seats, services, signals
from . import feedback as feedback_services
from .filters import EventFilter
from .forms import CONSENT_TEXT, FeedbackForm, RegistrationForm, RegistrationSetup, open_sessions, registration_setup
from .models import Event, Registration, Session

PAGE_SIZE = 20


def _setup_or_404(slug: str) -> RegistrationSetup:
    setup = registration_setup(slug)
    if setup is None:
        raise Http404("No such event.")
    return setup


def _own_copy(event: Event) -> Event:
    """A copy of this process's remembered event that a page may load relations into."""
    event = copy.copy(event)
    event._prefetched_objects_cache = {}
    return event


def _get_public_event(slug: str) -> Event:
    """The public event ``slug`` (from ``registration_setup``: no query while it is unchanged)."""
    return _own_copy(_setup_or_404(slug).event)


@cached_public_page(
    areas=[ContentArea.EVENTS, ContentArea.SEATS, ContentArea.DIRECTORY], params=[*EventFilter.base_filters, "page"]
)
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


def handle_registration(request: HttpRequest, setup: RegistrationSetup) -> HttpResponse:
    """Show the registration form for ``setup``'s event; on a valid POST call ``services.register``,
    remember the registration in a signed cookie (``_remember``; never in the URL) and redirect to the
    result page — a repeat as much as a new registration. Problems (full, closed…) re-render
    with the message, the same whether or not the address is registered — a client that has used
    up its allowance for the session included; over the hourly limit on plus-tagged addresses,
    the 429 page. The view's decorator (``limit_public_form(per_address=None)``) counts every
    POST per client; the allowances for new registrations (per client per session, per
    plus-tagged address) are counted by ``services.register``."""
    # One moment for the whole page: which sessions are open, and when the page next changes by
    # itself (a registration opening or closing while the page is rendered is not skipped).
    now = timezone.now()
    posted = request.method == "POST"
    # A post is checked against the event's open sessions as this process remembers them (no
    # query; the service reads the chosen one again under its lock, and counts its seats there);
    # the page lists the sessions it reads with their counts (``_event_page``), so a form only
    # shown needs no sessions of its own.
    event = _own_copy(setup.event)
    form = RegistrationForm(
        request.POST if posted else None,
        sessions=(lambda: open_sessions(event.pk, now=now, counts=False)) if posted else Session.objects.none(),
        loaded_sessions=setup.open_at(now) if posted else [], questions=setup.questions,
        question_fields=setup.question_fields(), event=event,
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.register(
                session=data["session"],
                name=data["name"],
                email=data["email"],
                affiliation=data["affiliation"],
                role=data["role"],
                consent_text=str(CONSENT_TEXT),
                mailing_list_opt_in=data["mailing_list_opt_in"],
                language=translation.get_language() or "en",
                client=limited_client(request),
                answers=form.answers(),
                time_zone=data.get("time_zone", "") or "",
            )
        except RateLimited as exc:
            return too_many_requests(request, retry_after=exc.retry_after)
        except services.SessionBusy:
            return busy(request, event_url=event.get_absolute_url())
        except services.RegistrationError as exc:
            form.add_error("session", exc.message)
        else:
            response = redirect("events:registered", slug=event.slug)
            _remember(request, response, result)
            return response
    return _event_page(request, event, form, now=now, posted=posted)


def _event_page(
    request: HttpRequest, event: Event, form: RegistrationForm, *, now: Any, posted: bool = False
) -> HttpResponse:
    """The event's page with its registration form (as posted, with its errors, after a post).
    Its sessions are read once, with their counts: the dates, the form's choices (those open at
    ``now``) and the JSON-LD all come from them. Their seats are slots (``events.seats``),
    filled as the page is served by ``event_detail``'s cache from the same counts (the response
    carries them: read once per rendering): those this process remembers (shared with its
    other threads, read-only), or after a ``posted`` form was refused (a date just full, say)
    counts read for this page."""
    prefetch_related_objects([event], "organisers", "presenters")
    counted = seats.read_counted(event.slug) if posted else seats.counted(event.slug)
    all_sessions = counted.sessions
    open_now = [s for s in all_sessions if s.is_open_for_registration(now)]
    form.list_sessions(open_now)
    response = render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "form": form,
            "has_open_sessions": bool(open_now),
            "upcoming_sessions": [s for s in all_sessions if s.end >= now],
            "past_sessions": [s for s in all_sessions if s.end < now],
            "ld_json": _json_ld(event, all_sessions, now=now),
        },
    )
    response.counted_sessions = counted  # type: ignore[attr-defined]  # read by event_detail's fill
    response.fresh_until = seats.next_change(all_sessions, now)  # read by cached_public_page
    return response


# The page with its form is the one everybody opens after an announcement: it is cached like
# the lists, and each copy served gets a fresh CSRF token of the visitor's own and the seats as
# they are now (``events.seats``), so a registration leaves it cached.
@cached_public_page(
    areas=[ContentArea.EVENTS, ContentArea.DIRECTORY],
    csrf=True,
    fill=lambda response, content, slug: seats.fill(
        content, slug, sessions=getattr(response, "counted_sessions", None)
    ),
)
@require_http_methods(["GET", "POST"])
@limit_public_form(scope="registration", per_client="30/h", per_address=None)
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The one public page of an event — a webinar's too (``/webinars/<slug>/`` redirects here)."""
    return handle_registration(request, _setup_or_404(slug))


def busy(request: HttpRequest, *, event_url: str) -> HttpResponse:
    """503 with ``Retry-After`` when the session's lock was not free in time: nothing was saved,
    and the visitor is asked to send the form again in a moment (never a 500, never an overbooking)."""
    response = render(request, "events/busy.html", {"event_url": event_url}, status=503)
    response["Retry-After"] = str(services.BUSY_RETRY_AFTER)
    return response


# The registration a visitor has just made (or repeated) in this browser, for the result page:
# a signed cookie "<public id>:<1 if a repeat else 0>" (never the URL, which carries nothing
# personal; no server-side session to write, so a busy moment's posts cost no session rows).
# Signed, so it cannot name anyone else's registration; only this browser sends it.
RESULT_COOKIE = "registration_result"
RESULT_SALT = "events.registration-result"
RESULT_MAX_AGE = 24 * 60 * 60  # a day: the result page is for right after registering


def _remember(request: HttpRequest, response: HttpResponse, result: services.RegistrationResult) -> None:
    """Keep the registration for the result page. A repeat of what this browser itself registered
    (a double submit, the back button) stays its own registration, with its link."""
    public_id = str(result.registration.public_id)
    before_id, before_repeat = _remembered(request)
    own_before = before_id == public_id and not before_repeat
    repeat = not result.created and not own_before
    response.set_signed_cookie(
        RESULT_COOKIE, f"{public_id}:{int(repeat)}", salt=RESULT_SALT, max_age=RESULT_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
    )


def _remembered(request: HttpRequest) -> tuple[str, bool]:
    """The public id and repeat flag this browser's result cookie holds (("", False) without a
    valid one)."""
    value = request.get_signed_cookie(RESULT_COOKIE, default="", salt=RESULT_SALT, max_age=RESULT_MAX_AGE)
    public_id, _sep, repeat = value.partition(":")
    if len(public_id) != 36:
        return "", False
    return public_id, repeat == "1"


class _PrivatePageCsrf(CsrfViewMiddleware):
    """CSRF protection for forms on the pages at the signed link. Those pages send
    ``Referrer-Policy: no-referrer`` (their URL holds the link), and under that policy browsers
    send ``Origin: null`` with the page's own form posts (Fetch standard, "serializing a request
    origin"), which Django's origin check refuses. Here a ``null`` origin passes that check only
    when the browser says the post comes from this site (``Sec-Fetch-Site: same-origin``) or
    says nothing (a browser older than that header); a cross-site post with ``Origin: null`` (a
    sandboxed frame, a ``data:`` page) is refused. The CSRF token (cookie and form field) is
    still required, as it is everywhere."""

    def _origin_verified(self, request: HttpRequest) -> bool:
        if request.META.get("HTTP_ORIGIN") == "null":
            return request.META.get("HTTP_SEC_FETCH_SITE", "same-origin") == "same-origin"
        return super()._origin_verified(request)


def private_page_csrf(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Use on a view at the signed link whose page posts to itself (or to another such view):
    the site-wide middleware leaves it alone, ``_PrivatePageCsrf`` checks it instead."""
    return csrf_exempt(decorator_from_middleware(_PrivatePageCsrf)(view))


def _private(response: HttpResponse, *, referrer_policy: str = "no-referrer") -> HttpResponse:
    """A page for one person only: never stored by a cache (ours or any other), never indexed,
    and its URL (which may hold the signed link) never sent on as a Referer."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = referrer_policy
    response["X-Robots-Tag"] = "noindex"
    return response


def private_page(
    *, referrer_policy: str = "no-referrer"
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Every response of the view is ``_private`` — its error pages as much as its page: the
    429 of ``limit_public_form`` (put this decorator outside it), the CSRF 403 of
    ``private_page_csrf`` (outside that too), a broken link's page. The request is marked
    ``private_page``, so ``base.html`` leaves out the page's own URL (Open Graph): it may hold
    the signed link. ``referrer_policy``: "same-origin" for a private page without a secret in
    its URL."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            request.private_page = True  # type: ignore[attr-defined]  # read by templates/base.html
            return _private(view(request, *args, **kwargs), referrer_policy=referrer_policy)

        return wrapper

    return decorator


def _remembered_registration(request: HttpRequest, event: Event) -> tuple[Registration | None, bool]:
    """The registration this browser made (or repeated) for ``event``, and whether it was a repeat."""
    public_id, repeat = _remembered(request)
    if not public_id:
        return None, False
    registration = (
        Registration.objects.select_related("session__event")
        .filter(public_id=public_id, session__event=event)
        .exclude(services.anonymised_q())
        .first()
    )
    return registration, repeat


def _own_page_path(registration: Registration) -> str:
    return reverse("events:manage_registration", kwargs={"token": services.manage_token(registration)})


def _tell_about_resend(request: HttpRequest, registration: Registration, *, sent: bool) -> None:
    if sent:
        messages.success(request, _("We have sent the email again. It may take a few minutes to arrive."))
        return
    retry = services.next_resend_at(registration)
    if retry is None:
        messages.info(request, _("There is nothing to send for this registration."))
        return
    messages.info(
        request,
        _("We sent it less than five minutes ago. If it has not arrived, look in your spam folder; "
          "you can ask again from %(time)s.") % {"time": date_format(timezone.localtime(retry), "TIME_FORMAT")},
    )


# No secret in this page's URL: the site's own CSRF check (no ``Origin: null`` to allow), and
# "same-origin" referrers (so its forms post with their real origin).
@private_page(referrer_policy="same-origin")
@require_http_methods(["GET", "POST"])
@limit_public_form(scope="registration-resend", per_client="10/h", per_address=None)
def registered(request: HttpRequest, slug: str) -> HttpResponse:
    """The result page: the event, the chosen date and the outcome — confirmed, or the place on
    the waiting list — with a link to the own page; for a repeat, that this address was already
    registered and when its email went out, with "send it again" (a POST, rate-limited, at most
    once per ``services.RESEND_INTERVAL``). Without a registration in this browser's result cookie, a
    page that says so."""
    event = _get_public_event(slug)
    registration, repeat = _remembered_registration(request, event)
    if request.method == "POST":
        if registration is not None and request.POST.get("action") == "resend":
            _tell_about_resend(request, registration, sent=services.send_again(registration=registration))
        return redirect(request.path)
    context: dict[str, Any] = {"event": event, "registration": registration, "repeat": repeat}
    if registration is not None:
        context |= {
            "session": registration.session,
            "position": services.waiting_position(registration),
            "own_page_url": None if repeat else _own_page_path(registration),
            "can_resend": services.next_resend_at(registration) is None,
        }
    return render(request, "events/registered.html", context)


def _json_ld(event: Event, sessions: list[Session], *, now: Any) -> SafeString:
    """schema.org Event data (its date: the first scheduled session that has not ended at
    ``now``, the page's moment, else the last). The location of an online event is its public
    page, never a meeting link. Texts are in the page's language (a fallback tagged with its own
    language), names in every language they are written in; ``inLanguage`` is the language the
    event is held in."""
    url = absolute_url(event.get_absolute_url())
    upcoming = [s for s in sessions if s.end >= now and s.status == Session.Status.SCHEDULED]
    session = upcoming[0] if upcoming else (sessions[-1] if sessions else None)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": ld_name(event, "title"),
        "url": url,
        "eventAttendanceMode": event.attendance_mode_schema,
        "eventStatus": "https://schema.org/EventCancelled"
        if (session.is_cancelled if session else event.status == Event.Status.CANCELLED)
        else "https://schema.org/EventScheduled",
        "inLanguage": event.language,
    }
    description = ld_text(event, "summary")
    if description:
        data["description"] = description
    if session:
        data["startDate"] = session.local_start().isoformat()
        data["endDate"] = session.local_end().isoformat()
    locations: list[dict[str, Any]] = []
    if event.mode in (Event.Mode.ONLINE, Event.Mode.HYBRID):
        locations.append({"@type": "VirtualLocation", "url": url})
    if event.mode in (Event.Mode.IN_PERSON, Event.Mode.HYBRID):
        venue = ld_text(event, "venue")
        locations.append({"@type": "Place", "name": venue or ld_name(event, "title"), "address": venue or ""})
    data["location"] = locations[0] if len(locations) == 1 else locations
    organisers = [
        {"@type": "Organization", "name": ld_name(p, "name"), "url": absolute_url(p.get_absolute_url())}
        for p in event.organisers.all()
    ]
    if organisers:
        data["organizer"] = organisers
    performers = [{"@type": "Organization", "name": ld_name(p, "name")} for p in event.presenters.all()]
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
                **for_api(event, "title"),
                "slug": event.slug,
                "url": absolute_url(event.get_absolute_url()),
                "kind": event.kind,
                "mode": event.mode,
                "language": event.language,
                "status": event.status,
                **for_api(event, "summary"),
                "organisers": [
                    {**for_api(p, "name"), "url": absolute_url(p.get_absolute_url())}
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


# ----------------------------------------------------------------------------------------
# One's own registration page, at the signed link in every email
# ----------------------------------------------------------------------------------------


class LinkRequestForm(PublicForm):
    email = forms.EmailField(
        label=gettext_lazy("Your email address"),
        max_length=254,
        help_text=gettext_lazy("The address you registered with."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def _link_problem(request: HttpRequest) -> HttpResponse:
    """A signed link that is broken, tampered with or leads to a registration no longer kept:
    a real page in the visitor's language that says what to do, with the form for a new link.
    (Called by ``private_page`` views, which make it private.)"""
    context = {"form": LinkRequestForm(), "broken": True}
    return render(request, "events/registration/link_problem.html", context, status=404)


@private_page()
@private_page_csrf
@require_http_methods(["GET", "POST"])
@limit_public_form(scope="registration-link", per_client="10/h", per_address="3/h")
def request_link(request: HttpRequest) -> HttpResponse:
    """"Send me my link": the email of every upcoming registration of the address is sent again.
    The answer is the same whether or not the address is registered."""
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.send_manage_links(email=form.cleaned_data["email"])
        messages.success(
            request,
            _("If this address is registered for an upcoming session, we have emailed it the confirmation of "
              "each registration, with the link to its page. It may take a few minutes to arrive."),
        )
        return redirect(request.path)
    return render(request, "events/registration/link_problem.html", {"form": form, "broken": False})


def _still_on(registration: Registration) -> bool:
    """The registration holds and its session is not over: its join details and calendar file
    are shown until the session's end (a session that has started is when people need them)."""
    session = registration.session
    return (
        registration.status != Registration.Status.CANCELLED
        and not session.is_cancelled
        and session.end > timezone.now()
    )


def _can_change(registration: Registration) -> bool:
    """Switching to another date and cancelling: only before the session starts (as the
    services themselves insist)."""
    return _still_on(registration) and not registration.session.is_past


def _own_page(request: HttpRequest, registration: Registration, token: str, **extra: Any) -> HttpResponse:
    session = registration.session
    still_on = _still_on(registration)
    can_change = still_on and not session.is_past  # _can_change
    confirmed = registration.status == Registration.Status.CONFIRMED and still_on
    context = {
        "registration": registration,
        "session": session,
        "event": session.event,
        "token": token,
        "session_cancelled": session.is_cancelled,
        "still_on": still_on,
        "can_change": can_change,
        "position": services.waiting_position(registration),
        "can_resend": services.next_resend_at(registration) is None,
        "join": signals.join_details_for(registration) if confirmed else None,
        "calendar_url": reverse("events:registration_calendar", kwargs={"token": token}) if confirmed else "",
        "switch_options": services.switch_options(registration) if can_change else [],
        "confirm_waiting_list": None,
        "switch_error": "",
        **extra,
    }
    return render(request, "events/manage_registration.html", context)


@private_page()
@private_page_csrf
@require_http_methods(["GET", "POST"])
@limit_public_form(scope="registration-manage", per_client="30/h", per_address=None)
def manage_registration(request: HttpRequest, token: str) -> HttpResponse:
    """The own page: status, date, the join link of a confirmed online session (until the
    session ends), the personal calendar file, switching to another date, "send my link again"
    and the way to cancel (both before the session starts). Each POST (``action``: "switch" or
    "resend") redirects back here."""
    registration = services.registration_for_token(token)
    if registration is None:
        return _link_problem(request)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "resend":
        _tell_about_resend(request, registration, sent=services.send_again(registration=registration))
        return redirect(request.path)
    if action == "switch" and _can_change(registration):
        return _switch(request, registration, token)
    return _own_page(request, registration, token)


def _switch(request: HttpRequest, registration: Registration, token: str) -> HttpResponse:
    options = {str(s.pk): s for s in services.switch_options(registration)}
    target = options.get(request.POST.get("session", "")[:20])
    if target is None:
        return _own_page(request, registration, token, switch_error=_("Choose one of the dates below."))
    try:
        registration = services.switch_registration(
            registration=registration,
            session=target,
            accept_waiting_list=request.POST.get("accept_waiting_list") == "yes",
            client=limited_client(request),
        )
    except RateLimited as exc:
        return too_many_requests(request, retry_after=exc.retry_after)
    except services.SessionBusy:
        return busy(request, event_url=request.path)
    except services.RegistrationError as exc:
        if exc.code == "waiting_list":
            return _own_page(request, registration, token, confirm_waiting_list=target)
        return _own_page(request, registration, token, switch_error=exc.message)
    if registration.status == Registration.Status.CONFIRMED:
        messages.success(request, _("Done: your seat on the new date is confirmed. We have emailed you an updated "
                                    "calendar file."))
    else:
        messages.success(request, _("Done: you are on the waiting list of the new date. We have emailed you."))
    return redirect(request.path)


@private_page()
@private_page_csrf
@require_http_methods(["GET", "POST"])
def cancel_registration(request: HttpRequest, token: str) -> HttpResponse:
    """Cancelling, with a confirmation step: GET asks, POST cancels and returns to the own page.
    Only before the session starts."""
    registration = services.registration_for_token(token)
    if registration is None:
        return _link_problem(request)
    own_page = reverse("events:manage_registration", kwargs={"token": token})
    if not _can_change(registration):
        return redirect(own_page)
    if request.method == "POST":
        services.cancel_registration(registration=registration)
        messages.success(request, _("Your registration has been cancelled. We have sent you a confirmation by email."))
        return redirect(own_page)
    context = {"registration": registration, "session": registration.session, "event": registration.session.event,
               "own_page": own_page}
    return render(request, "events/registration/cancel.html", context)


@private_page()
@require_GET
def registration_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The personal calendar file (with the join link of an online session) of a confirmed
    registration, until its session ends; anything else goes back to the own page."""
    registration = services.registration_for_token(token)
    if registration is None:
        return _link_problem(request)
    if registration.status != Registration.Status.CONFIRMED or not _still_on(registration):
        return redirect("events:manage_registration", token=token)
    content = calendar.session_invitation(
        registration.session, registration=registration, manage_link=services.manage_url(registration)
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="registration.ics"'
    return response


# ----------------------------------------------------------------------------------------
# Feedback after a session, at the signed link in the follow-up
# ----------------------------------------------------------------------------------------


@private_page()
@private_page_csrf
@require_http_methods(["GET", "POST"])
@limit_public_form(scope="feedback", per_client="30/h", per_address=None)
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    """The feedback form of one registration: a rating (1–5) and an optional comment. One answer
    per registration; it can be changed (the form shows it) until ``events.feedback.CHANGE_WINDOW``
    after the session ended, then it is shown without the form. A bad link gets the broken-link page."""
    registration = feedback_services.registration_for_feedback_token(token)
    if registration is None:
        return _link_problem(request)
    answer = feedback_services.answer_of(registration)
    is_open = feedback_services.is_open(registration)
    initial = {"rating": str(answer.rating), "comment": answer.comment} if answer else None
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and is_open and form.is_valid():
        try:
            feedback_services.give_feedback(
                registration=registration, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
            )
        except feedback_services.FeedbackClosed:
            is_open = False
        else:
            messages.success(request, _("Thank you for your feedback."))
            return redirect(request.path)
    session = registration.session
    context = {
        "registration": registration,
        "session": session,
        "event": session.event,
        "answer": answer,
        "form": form,
        "is_open": is_open,
        "not_yet": session.start > timezone.now(),
        "changeable_until": session.end + feedback_services.CHANGE_WINDOW,
    }
    return render(request, "events/feedback.html", context)


# ----------------------------------------------------------------------------------------
# Certificates of attendance (``events.certificates``)
# ----------------------------------------------------------------------------------------


@private_page()
@require_GET
def registration_certificate(request: HttpRequest, token: str) -> HttpResponse:
    """The attendee's certificate of attendance (PDF), behind the signed link of their own page;
    the first download issues it. A page not found unless their attendance is recorded as
    attended."""
    registration = services.registration_for_token(token)
    if registration is None:
        return _link_problem(request)
    try:
        certificate = certificates.issue_certificate(registration=registration)
    except certificates.NotAttended:
        return render(request, "404.html", status=404)
    certificate.registration = registration  # with its session and event already
    response = HttpResponse(certificates.render_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificates.download_filename(certificate)}"'
    return response


class CertificateCodeForm(PublicForm):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=40,
        help_text=gettext_lazy("As printed at the foot of the certificate, for example 7K3MQ-9XTRA."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = certificates.normalise_code(self.cleaned_data["code"])
        if not certificates.is_well_formed(code):
            raise forms.ValidationError(
                gettext_lazy("A verification code has 10 letters and digits, for example 7K3MQ-9XTRA."),
                code="invalid",
            )
        return code


# Not secret, but about a person: never cached, never indexed; no secret in the URL, so the
# site's own CSRF check and "same-origin" referrers.
@private_page(referrer_policy="same-origin")
@require_http_methods(["GET", "POST"])
@limit_public_form(scope="certificate-check", per_client="30/h", per_address=None)
def certificate_lookup(request: HttpRequest) -> HttpResponse:
    """The form to type a certificate's code; a well-formed code leads to its check page."""
    form = CertificateCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return redirect("events:certificate_verify", code=form.cleaned_data["code"])
    return render(request, "events/certificate_verify.html", {"form": form, "checked": False})


@private_page(referrer_policy="same-origin")
@require_GET
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Whether the certificate with ``code`` is valid: the attendee's initials, the event and
    the date — nothing else — or, with a 404, that it is not. A code typed in another form
    ("k3m9q-x7tra") redirects to the stored one. Not rate-limited: there are 32**10 codes, so
    trying them finds nothing; the form that leads here is."""
    normalised = certificates.normalise_code(code[:40])
    if normalised != code and certificates.is_well_formed(normalised):
        return redirect("events:certificate_verify", code=normalised)
    certificate = certificates.certificate_for_code(normalised)
    shown = "".join(char for char in code[:40] if char.isalnum() or char == "-")  # as typed, without oddities
    context: dict[str, Any] = {"form": CertificateCodeForm(), "checked": True, "certificate": certificate,
                               "code": shown}
    if certificate is not None:
        registration = certificate.registration
        context |= {
            "code": certificates.format_code(certificate.code),
            "initials": certificates.initials(registration.name),
            "event": registration.session.event,
            "date_text": certificates.session_date_text(registration),
        }
    return render(request, "events/certificate_verify.html", context, status=200 if certificate else 404)
