"""Coordinator account security: the optional second factor a network coordinator can require.

With ``SecurityPolicy.require_totp_for_staff`` on, a logged-in staff user without a TOTP
authenticator who opens the admin is redirected to allauth's TOTP set-up page (one query for the
policy and one for the authenticator on admin requests only; public pages are untouched).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def must_set_up_totp(user) -> bool:
    from .models import SecurityPolicy

    if not (getattr(user, "is_authenticated", False) and user.is_staff):
        return False
    policy = SecurityPolicy.objects.filter(pk=1).values_list("require_totp_for_staff", flat=True).first()
    return bool(policy) and not has_totp(user)


class RequireSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(reverse("admin:index")) and must_set_up_totp(request.user):
            messages.warning(
                request, _("The network requires a second factor. Please set up an authenticator app to continue.")
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
