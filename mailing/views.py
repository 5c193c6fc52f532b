"""Mailing-list pages: sign up, confirm (GET shows a button, POST confirms: mail scanners open
links), unsubscribe (also RFC 8058 one-click), and the signed manage page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from core.ratelimit import limit_public_form

from . import services, tokens
from .forms import ManageForm, SignupForm
from .models import CONSENT_TEXT, CONSENT_VERSION, Subscription

ACTIVE_STATES = (Subscription.Status.ACTIVE, Subscription.Status.AWAITING_APPROVAL, Subscription.Status.PENDING)


def _invalid_link(request: HttpRequest) -> HttpResponse:
    """The same neutral page for a tampered, expired, wrong-purpose or unknown token."""
    return render(request, "mailing/invalid_link.html", status=400)


@require_http_methods(["GET", "POST"])
@limit_public_form(scope="mailing-signup")
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_subscription(
            email=form.cleaned_data["email"],
            lists=form.cleaned_data["lists"],
            consent_text=str(CONSENT_TEXT),
            consent_version=CONSENT_VERSION,
            source="mailing-list sign-up form",
            language=translation.get_language() or "",
        )
        # The same answer whether or not the address was known.
        return redirect("mailing:check_inbox")
    return render(request, "mailing/signup.html", {"form": form, "consent_version": CONSENT_VERSION})


def check_inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "mailing/check_inbox.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        pending = services.pending_for_token(token=token)
    except tokens.InvalidToken:
        return _invalid_link(request)
    if request.method == "POST":
        confirmed = services.confirm(token=token)
        return render(request, "mailing/confirmed.html", {"confirmed": confirmed, "already": not confirmed})
    return render(request, "mailing/confirm.html", {"pending": pending})


@csrf_protect
def _unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = services.subscription_for_unsubscribe_token(token=token)
    except (tokens.InvalidToken, Subscription.DoesNotExist):
        return _invalid_link(request)
    if request.method == "POST":
        subscription = services.unsubscribe(token=token)
        return render(request, "mailing/unsubscribed.html", {"subscription": subscription})
    return render(request, "mailing/unsubscribe.html", {"subscription": subscription})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; the button's POST is CSRF-protected. A mail client's RFC 8058
    one-click POST (body ``List-Unsubscribe=One-Click``, no cookies) is exempt: the signed token
    alone authenticates it."""
    if request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click":
        try:
            services.unsubscribe(token=token)
        except (tokens.InvalidToken, Subscription.DoesNotExist):
            return HttpResponse(translation.gettext("Invalid or expired link.") + "\n", status=400, content_type="text/plain; charset=utf-8")
        return HttpResponse(translation.gettext("Unsubscribed.") + "\n", content_type="text/plain; charset=utf-8")
    return _unsubscribe_page(request, token)


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = tokens.read_manage_token(token)
    except tokens.InvalidToken:
        return _invalid_link(request)
    subscriptions = list(Subscription.objects.for_email(email).select_related("mailing_list"))
    current = frozenset(s.mailing_list_id for s in subscriptions if s.status in ACTIVE_STATES)
    form = ManageForm(request.POST or None, current=current, initial={"lists": list(current)})
    if request.method == "POST" and form.is_valid():
        result = services.update_subscriptions(
            email=email,
            wanted=form.cleaned_data["lists"],
            offered=form.fields["lists"].queryset,
            consent_text=str(CONSENT_TEXT),
            consent_version=CONSENT_VERSION,
            language=translation.get_language() or "",
        )
        return render(request, "mailing/manage_saved.html", {"requested": result is not None})
    return render(request, "mailing/manage.html", {"form": form, "subscriptions": subscriptions, "email": email})
