"""Writes with rules for the site pages. Every email goes through the outbox in the transaction."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from core.accounts import network_coordinator_emails
from outbox.services import queue_templated_email


@transaction.atomic
def send_accessibility_feedback(*, message: str, email: str, name: str = "", page: str = "") -> int:
    """Queue the feedback to every network coordinator address (``NETWORK_COORDINATOR_EMAILS``
    and the Network coordinators group), with the sender as Reply-To. Stores nothing else.
    Returns the number of messages queued. Written in the site's default language: the
    coordinators have no language on record (the sender's message is quoted as written)."""
    context = {"message": message, "email": email, "name": name, "page": page}
    recipients = network_coordinator_emails()
    for address in recipients:
        queue_templated_email(
            to=address, template="portal/accessibility_feedback", context=context, reply_to=email,
            language=settings.LANGUAGE_CODE, purpose="portal/accessibility_feedback",
        )
    return len(recipients)
