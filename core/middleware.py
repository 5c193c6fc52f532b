"""Every 429 says how long to wait: ``RetryAfterMiddleware``.

The site's own limits answer with ``core.ratelimit.too_many_requests``, which knows the wait.
allauth's limits (``ACCOUNT_RATE_LIMITS``: password resets, ``/accounts/email/``, logins…)
answer with a bare ``429.html`` and no ``Retry-After``, and allauth tells nobody which limit was
hit or when it frees up: its counters are sliding windows in the cache, read only inside its own
code. So the wait given here is an upper bound, honestly labelled as one: the longest window
among the rates configured for the action of the view that answered (``_ACTIONS``; a rate is
"amount/duration[/per]"), after which every attempt counted in it has expired — or, for a view
not listed, the longest window of all of allauth's rates. The page then says "in at most N
minutes" and ``Retry-After`` carries the same number of seconds.

Not a 429 handler in the URLconf (``handler429``, which allauth calls) because that receives
only the request; here the response is rendered and the view's name is resolved. It sits last in
``MIDDLEWARE`` so that the response it renders passes through every other middleware (CSP,
security headers) like any other.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.account import app_settings as account_settings
from django.http import HttpRequest, HttpResponse

from .ratelimit import parse_rate, too_many_requests

# The allauth views that answer 429 themselves (their ``rate_limit`` decorators and
# ``consume_or_429`` calls), by URL name, and the action whose rates they count. Failed logins
# (``login_failed``) are answered by a form error, and address confirmations by link
# (``confirm_email``) are skipped silently, so neither ends here.
_ACTIONS = {
    "account_login": "login",
    "account_signup": "signup",
    "account_email": "manage_email",
    "account_change_password": "change_password",
    "account_set_password": "change_password",
    "account_reset_password": "reset_password",
    "account_reset_password_from_key": "reset_password_from_key",
    "account_reauthenticate": "reauthenticate",
}


def _longest_window(rates: str | None) -> int:
    """Seconds of the longest window among allauth's comma-separated ``rates``, 0 for none."""
    windows = [0]
    for rate in (rates or "").split(","):
        if rate.strip():
            amount, duration = rate.strip().split("/")[:2]
            windows.append(parse_rate(f"{amount}/{duration}")[1])
    return max(windows)


def allauth_wait(url_name: str | None) -> int:
    """Seconds after which allauth's limits for the view named ``url_name`` allow it again (an
    upper bound, at least 1)."""
    limits = account_settings.RATE_LIMITS
    action = _ACTIONS.get(url_name or "")
    wait = _longest_window(limits.get(action)) if action else 0
    return max(1, wait or max(_longest_window(rates) for rates in limits.values()))


class RetryAfterMiddleware:
    """A 429 without ``Retry-After`` (allauth's) gets one, and an HTML one is rendered again
    through ``too_many_requests`` so that its page states the same wait."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 429 or response.has_header("Retry-After"):
            return response
        match = getattr(request, "resolver_match", None)
        wait = allauth_wait(match.url_name if match else None)
        if response.get("Content-Type", "").startswith("text/html"):
            return too_many_requests(request, retry_after=wait, at_most=True)
        response["Retry-After"] = str(wait)
        return response
