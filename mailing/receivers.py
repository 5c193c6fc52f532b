"""Receivers for other apps' signals. Each calls a service; no rules live here."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from . import services
from .models import CONSENT_VERSION, MailingList

WEBINAR_OPT_IN_SOURCE = "webinar registration"
# What the registration form's tick box says, unless the signal sends its own wording.
WEBINAR_OPT_IN_TEXT = _("Send me the Citizen Science Network's news by email (you confirm by email first).")


def subscribe_after_registration_opt_in(sender: Any, *, email: str, language: str = "", **kwargs: Any) -> None:
    """``events.signals.registration_opt_in`` (sent after commit): ask for a double opt-in to
    "Network news" — a confirmation email, nothing more until the person confirms."""
    news = MailingList.objects.filter(slug=services.NETWORK_NEWS_SLUG).first()
    if news is None or not email:
        return
    services.request_subscription(
        email=email,
        lists=[news],
        consent_text=str(kwargs.get("consent_text") or WEBINAR_OPT_IN_TEXT),
        consent_version=str(kwargs.get("consent_version") or CONSENT_VERSION),
        source=WEBINAR_OPT_IN_SOURCE,
        language=language,
    )
