"""Messages written as *what to render* and rendered by the worker just before they are sent.

A service that must hold a lock while it writes a message (a registration holds its session's
row lock) writes the outbox row with a renderer's name and its arguments (ids, template names:
JSON) instead of the rendered text, in the same transaction, so the lock is not held while
templates, CSS inlining and calendar files are worked out. The app that owns the data registers
the renderer at start-up (``register`` in its ``AppConfig.ready``); the outbox knows only names.

``render_into`` runs when a worker claims the row for its first attempt (``outbox.delivery``): it renders
the row once, stores the text in the row (so a retry, the admin and the sweep see the message as
it went out) and clears the renderer. A renderer that finds nothing to send any more (the
registration was erased meanwhile) returns None, and the row is cancelled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from .models import OutgoingEmail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body_text: str
    body_html: str = ""
    # Each {"filename": …, "content": …, "mimetype": …} (``services.Attachment.__dict__``).
    attachments: list[dict[str, str]] = field(default_factory=list)


Renderer = Callable[..., RenderedEmail | None]
_renderers: dict[str, Renderer] = {}


def register(name: str, renderer: Renderer) -> None:
    """Make ``renderer`` render the rows written under ``name`` (called with ``render_args``)."""
    _renderers[name] = renderer


def is_registered(name: str) -> bool:
    return name in _renderers


def render_into(email: OutgoingEmail) -> bool:
    """Render a row that awaits rendering, in place and saved (the caller holds its row lock:
    ``outbox.delivery`` claims it first). Returns False when there is nothing to send any more:
    the row is then cancelled. A renderer's exception is raised, and the caller's transaction
    rolls back: the row stays as it was and is tried again like any failed attempt."""
    renderer = _renderers.get(email.renderer)
    if renderer is None:
        raise LookupError(f"no renderer registered as {email.renderer!r} (outgoing email {email.pk})")
    rendered = renderer(**email.render_args)
    if rendered is None:
        email.status = OutgoingEmail.Status.CANCELLED
        email.last_error = "Nothing to send any more: what the message was about no longer exists."
        email.renderer, email.render_args = "", {}
        email.save(update_fields=["status", "last_error", "renderer", "render_args"])
        logger.info("Outgoing email %s cancelled: its renderer found nothing to send.", email.pk)
        return False
    email.subject = " ".join(rendered.subject.split())[:300]
    email.body_text = rendered.body_text
    email.body_html = rendered.body_html
    email.attachments = list(rendered.attachments)
    email.renderer, email.render_args = "", {}
    email.save(update_fields=["subject", "body_text", "body_html", "attachments", "renderer", "render_args"])
    return True


def render_pending(email_id: int) -> bool:
    """Render the row now if it is queued and still awaits rendering (``render_into``)."""
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update()
            .filter(pk=email_id, status=OutgoingEmail.Status.QUEUED)
            .exclude(renderer="")
            .first()
        )
        return True if email is None else render_into(email)
