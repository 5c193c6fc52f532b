"""The email outbox: every outgoing message is a row, written in the transaction of the change
that causes it, and handed to Celery after commit (``outbox.tasks``).

``queue_email`` / ``queue_templated_email`` are called by services inside their transaction.
Messages that belong together (an announcement's mail-out, one registrant's messages) carry a
``group``; other apps act on a group through ``cancel_queued`` and ``count_by_status`` and never
look inside idempotency keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Expression, IntegerField, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.email_render import inline_css
from core.sites import site_name

from .handover import handover
from .models import OutgoingEmail
from .renderers import RenderedEmail, is_registered
from .tasks import enqueue_many

BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str
    mimetype: str


def queue_email(*, enqueue_after_commit: bool = True, **fields: Any) -> OutgoingEmail:
    """Write a message (``new_email``'s fields) to the outbox and hand its id to Celery once the
    transaction commits (through this process's ``handover``: published a moment later, with
    those of the next few requests).

    With an ``idempotency_key`` a message is written at most once: a second call with the same
    key returns the existing row and queues nothing (a service whose key is certainly new builds
    the row with ``new_email`` and inserts it itself). ``group`` names the set of messages this
    one belongs to (see ``cancel_queued`` and ``count_by_status``). A ``secret`` message (one
    whose body signs its reader in) is shown to nobody and blanked once sent (``OutgoingEmail``).
    A writer of many messages in one transaction (a mail-out's batch) passes
    ``enqueue_after_commit=False`` and hands their ids over together after the commit
    (``enqueue_all_after_commit``): one task per ``tasks.BATCH_SIZE`` messages, not one each.
    """
    return _write(new_email(**fields), enqueue_after_commit=enqueue_after_commit)


def new_email(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    headers: dict[str, str] | None = None,
    attachments: list[Attachment] | None = None,
    reply_to: str = "",
    purpose: str = "",
    idempotency_key: str | None = None,
    language: str = "",
    group: str = "",
    secret: bool = False,
    renderer: str = "",
    render_args: dict[str, Any] | None = None,
) -> OutgoingEmail:
    """The row ``queue_email`` writes, not saved yet: for a service that inserts it together with
    its own row in one round trip (``core.db.insert_together``) and then calls
    ``hand_over_after_commit``. Its idempotency key must be new (naming a row the same
    transaction inserts): a repeat fails the service's transaction instead of returning the
    existing message."""
    return OutgoingEmail(
        to=to,
        subject=" ".join(subject.split())[:300],
        body_text=body_text,
        body_html=body_html,
        headers=headers or {},
        attachments=[a.__dict__ for a in attachments or []],
        reply_to=reply_to,
        purpose=purpose,
        idempotency_key=idempotency_key,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        group=group,
        secret=secret,
        renderer=renderer,
        render_args=render_args or {},
    )


def hand_over_after_commit(email: OutgoingEmail) -> None:
    """Hand the new row's id to Celery once the transaction commits (``handover``)."""
    handover.add_after_commit(email.pk)


def _write(email: OutgoingEmail, *, enqueue_after_commit: bool = True) -> OutgoingEmail:
    """Insert ``email`` (or find the row already written under its idempotency key) and hand a
    new row over after the commit."""
    email, written = _insert(email)
    if written and enqueue_after_commit:
        hand_over_after_commit(email)
    return email


def _insert(email: OutgoingEmail) -> tuple[OutgoingEmail, bool]:
    """The row, and whether it was written now (not found under its idempotency key)."""
    if not email.idempotency_key:
        email.save(force_insert=True)
        return email, True
    # Insert first (a savepoint): nearly every key is new, so no lookup beforehand; a key already
    # written (by an earlier call or a concurrent transaction) returns that row.
    try:
        with transaction.atomic():
            email.save(force_insert=True)
            return email, True
    except IntegrityError:
        existing = OutgoingEmail.objects.filter(idempotency_key=email.idempotency_key).first()
        if existing is None:  # another constraint refused the row
            raise
        return existing, False


def enqueue_all_after_commit(email_ids: list[int]) -> None:
    """Hand these rows to Celery together once the current transaction commits (at once outside one)."""
    ids = list(email_ids)
    if ids:
        transaction.on_commit(lambda: enqueue_many(ids))


def render_email(template: str, context: dict[str, Any], *, language: str | None = None) -> tuple[str, str, str]:
    """Render ``emails/<template>.subject.txt``, ``.txt`` and ``.html`` in the given language.
    The subject and text part go through the "text" template engine, which does not escape HTML.

    Everything the templates read is read in that language: interface strings, ``SITE_NAME``,
    record content (``event.title`` falls back to the other language; the HTML parts mark such a
    fallback with ``{% content %}``) and any ``{% url %}``. Links a caller puts in ``context``
    must be built in the same language (``translation.override(language)`` around ``reverse``
    and ``get_absolute_url``): a Celery worker or an admin request is in another one.

    The HTML part's ``<style>`` block (the layout's, ``emails/_layout.html``) is inlined into
    ``style`` attributes here, once per message (``core.email_render.inline_css``)."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"SITE_URL": settings.SITE_URL, "SITE_NAME": site_name(language), **context}
        subject = render_to_string(f"emails/{template}.subject.txt", context, using="text").strip()
        # Blocks put together from partials leave runs of empty lines; one is enough.
        text = BLANK_LINES.sub("\n\n", render_to_string(f"emails/{template}.txt", context, using="text"))
        html = inline_css(render_to_string(f"emails/{template}.html", context))
    return subject, text, html


def queue_templated_email(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[Attachment] | None = None,
    reply_to: str = "",
    purpose: str = "",
    idempotency_key: str | None = None,
    group: str = "",
    enqueue_after_commit: bool = True,
) -> OutgoingEmail:
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    subject, text, html = render_email(template, context, language=language)
    return queue_email(
        to=to,
        subject=subject,
        body_text=text,
        body_html=html,
        headers=headers,
        attachments=attachments,
        reply_to=reply_to,
        purpose=purpose or template,
        idempotency_key=idempotency_key,
        language=language,
        group=group,
        enqueue_after_commit=enqueue_after_commit,
    )


def rendered_email(
    template: str, context: dict[str, Any], *, language: str, attachments: Iterable[Attachment] = ()
) -> RenderedEmail:
    """What a renderer (``outbox.renderers``) returns: ``render_email`` plus the attachments."""
    subject, text, html = render_email(template, context, language=language)
    return RenderedEmail(subject=subject, body_text=text, body_html=html,
                         attachments=[a.__dict__ for a in attachments])


def queue_rendered_later(
    *,
    to: str,
    renderer: str,
    args: dict[str, Any],
    language: str,
    purpose: str = "",
    idempotency_key: str | None = None,
    group: str = "",
) -> OutgoingEmail:
    """Write a message as what to render: the worker renders it just before sending
    (``outbox.renderers``), so a service that writes it while holding a lock does not wait for
    its rendering (``new_rendered_later``: the row, to insert with the service's own)."""
    return _write(new_rendered_later(to=to, renderer=renderer, args=args, language=language, purpose=purpose,
                                     idempotency_key=idempotency_key, group=group))


def new_rendered_later(
    *, to: str, renderer: str, args: dict[str, Any], language: str, purpose: str = "", idempotency_key: str | None = None,
    group: str = "",
) -> OutgoingEmail:
    """``queue_rendered_later``'s row, not saved yet (see ``new_email``)."""
    if not is_registered(renderer):
        raise LookupError(f"no renderer registered as {renderer!r}")
    return new_email(to=to, subject="", body_text="", purpose=purpose or renderer, idempotency_key=idempotency_key,
                     language=language, group=group, renderer=renderer, render_args=args)


def resend(*, email_ids: list[int]) -> int:
    """Put sent or failed messages back in the queue (the admin's resend action), each with a
    fresh retry period and a new Message-ID (it is a new message, not a lost copy). Returns how
    many were queued again.

    Only those two: a message queued or being sent is on its way already (a new Message-ID would
    make a copy the sweep re-queued as possibly delivered look like a different message), and a
    cancelled one was stopped on purpose (an announcement to someone who unsubscribed, say). A
    sent secret message has no body left to send (``OutgoingEmail``); its reader asks for a new
    link instead."""
    now = timezone.now()
    Status = OutgoingEmail.Status
    with transaction.atomic():
        again = list(
            OutgoingEmail.objects.filter(pk__in=email_ids, status__in=[Status.SENT, Status.FAILED])
            .exclude(secret=True, status=Status.SENT)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        OutgoingEmail.objects.filter(pk__in=again).update(
            status=Status.QUEUED, next_attempt_at=now, sent_at=None, last_error="", attempts=0,
            first_attempt_at=None, message_id="",
        )
        enqueue_all_after_commit(again)
    return len(again)


def cancel_queued(*, groups: Iterable[str], to: str | None = None) -> int:
    """Cancel the messages of ``groups`` still waiting to be sent (only those to ``to``, when
    given, compared case-insensitively). Returns how many were cancelled."""
    queued = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED, group__in=list(groups))
    if to is not None:
        queued = queued.filter(to__iexact=to)
    return queued.update(status=OutgoingEmail.Status.CANCELLED)


def cancel_queued_keys(*, keys: Iterable[str]) -> int:
    """Cancel the messages written under ``keys`` (idempotency keys the caller made) that are
    still waiting to be sent. Returns how many were cancelled."""
    queued = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED, idempotency_key__in=list(keys))
    return queued.update(status=OutgoingEmail.Status.CANCELLED)


def count_by_status(*, group: str) -> dict[str, int]:
    """How many messages of ``group`` are in each status (every status is a key)."""
    counts = dict.fromkeys(OutgoingEmail.Status.values, 0)
    rows = OutgoingEmail.objects.filter(group=group).values("status").annotate(n=Count("pk")).order_by()
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def count_in_group(group: Expression, *, status: str) -> Coalesce:
    """For annotating another app's rows in one query: the number of messages in ``status`` of
    the group ``group`` names (an expression over the outer row, e.g. built with ``OuterRef``)."""
    counted = (
        OutgoingEmail.objects.filter(group=group, status=status)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def written_keys(keys: Iterable[str]) -> set[str]:
    """The idempotency keys among ``keys`` that a message has already been written under."""
    return set(OutgoingEmail.objects.filter(idempotency_key__in=list(keys)).values_list("idempotency_key", flat=True))
