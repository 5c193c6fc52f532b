"""The email outbox: every outgoing message is a row, written in the transaction of the change
that causes it, and sent by a Celery task after commit.

``queue_email`` / ``queue_templated_email`` are called by services inside their transaction.
``deliver`` is what the task runs: it locks the row, skips it if already sent, sends over SMTP,
and records the outcome. A transient SMTP failure (4xx, a dropped connection) leaves the row
queued with a later ``next_attempt_at``; a permanent one (5xx) marks it failed. If Redis is down
when the transaction commits, the row simply waits for ``sweep_outbox``.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


class TransientEmailError(Exception):
    """Sending failed in a way that may succeed later; the row stays queued."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str
    mimetype: str


def queue_email(
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
) -> OutgoingEmail:
    """Write a message to the outbox and hand its id to Celery once the transaction commits.

    With an ``idempotency_key`` a message is written at most once: a second call with the same
    key returns the existing row and queues nothing.
    """
    if idempotency_key:
        existing = OutgoingEmail.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
    fields: dict[str, Any] = dict(
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
    )
    if idempotency_key:
        try:
            with transaction.atomic():
                email = OutgoingEmail.objects.create(**fields)
        except IntegrityError:  # written by a concurrent transaction meanwhile
            return OutgoingEmail.objects.get(idempotency_key=idempotency_key)
    else:
        email = OutgoingEmail.objects.create(**fields)
    transaction.on_commit(lambda: enqueue(email.pk))
    return email


def render_email(template: str, context: dict[str, Any], *, language: str | None = None) -> tuple[str, str, str]:
    """Render ``emails/<template>.subject.txt``, ``.txt`` and ``.html`` in the given language.
    The subject and text part go through the "text" template engine, which does not escape HTML."""
    context = {"SITE_URL": settings.SITE_URL, "SITE_NAME": settings.SITE_NAME, **context}
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}.subject.txt", context, using="text").strip()
        text = render_to_string(f"emails/{template}.txt", context, using="text")
        html = render_to_string(f"emails/{template}.html", context)
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
    )


def enqueue(email_id: int) -> None:
    """Give the message id to Celery. A broker outage is logged, not raised: the sweep retries."""
    from .tasks import deliver_email

    try:
        deliver_email.delay(email_id)
    except Exception:  # kombu/redis raise many types; none may fail the request that wrote the row
        logger.warning("Could not queue outgoing email %s; the outbox sweep will retry.", email_id, exc_info=True)


def build_message(email: OutgoingEmail, connection: Any = None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers=dict(email.headers),
        connection=connection,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for item in email.attachments:
        message.attach(item["filename"], item["content"], item["mimetype"])
    return message


class ConnectionKeeper(threading.local):
    """One open SMTP connection per worker process (per thread, where tasks run eagerly in a
    threaded web server), reused across messages.

    Opening a connection (TCP, greeting, STARTTLS, login) costs more than sending a message;
    a worker delivering a batch keeps it open. It is reopened after ``max_idle`` seconds (servers
    drop idle clients) or after any failure, and whenever the email settings change."""

    def __init__(self, max_idle: float = 30.0) -> None:
        self.max_idle = max_idle
        self._connection: Any = None
        self._settings: tuple = ()
        self._last_used = 0.0

    def get(self) -> Any:
        current = (settings.EMAIL_BACKEND, getattr(settings, "EMAIL_HOST", ""), getattr(settings, "EMAIL_PORT", 0))
        if self._connection is None or current != self._settings or time.monotonic() - self._last_used > self.max_idle:
            self.drop()
            self._connection = get_connection()
            self._settings = current
        self._last_used = time.monotonic()
        return self._connection

    def drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # closing a broken connection may fail too; it is discarded anyway
                logger.debug("Closing the SMTP connection failed", exc_info=True)
        self._connection = None


def _is_transient(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    return isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, socket.timeout, OSError))


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 1, 2, 4 … minutes, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def deliver(*, email_id: int, connection: Any = None) -> str:
    """Send one outbox row. Locks the row for the duration, so two workers never both send it.

    Returns the resulting status. Raises ``TransientEmailError`` when the row should be retried.
    """
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != OutgoingEmail.Status.QUEUED:
            return email.status if email else "missing"
        email.attempts += 1
        try:
            if connection is None:
                connection = get_connection()  # opened and closed around this one message
            elif getattr(connection, "connection", False) is None:
                connection.open()  # an SMTP connection the caller keeps open across messages
            build_message(email, connection=connection).send()
        except Exception as exc:
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if _is_transient(exc) and email.attempts < MAX_ATTEMPTS:
                email.next_attempt_at = timezone.now() + retry_delay(email.attempts)
                email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
                transient = True
            else:
                email.status = OutgoingEmail.Status.FAILED
                email.save(update_fields=["attempts", "last_error", "status"])
                # The SMTP reply often quotes the recipient: it stays in the row (purged with the
                # body, see portal.privacy), and the log names only the row and the error class.
                logger.error(
                    "Outgoing email %s failed permanently (%s %s).",
                    email.pk, type(exc).__name__, getattr(exc, "smtp_code", ""),
                )
                return email.status
        else:
            email.status = OutgoingEmail.Status.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
            email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
            return email.status
    if transient:
        raise TransientEmailError(email.last_error)
    return email.status


def resend(*, email_ids: list[int]) -> int:
    """Put sent or failed messages back in the queue (the admin's resend action)."""
    now = timezone.now()
    with transaction.atomic():
        count = OutgoingEmail.objects.filter(pk__in=email_ids).update(
            status=OutgoingEmail.Status.QUEUED, next_attempt_at=now, sent_at=None, last_error="", attempts=0
        )
        for pk in email_ids:
            transaction.on_commit(lambda pk=pk: enqueue(pk))
    return count


def sweep(*, older_than: timedelta = timedelta(minutes=2), limit: int = 1000) -> int:
    """Re-queue due rows that have waited longer than ``older_than`` (the broker lost them, or
    Redis was down at commit). A row sent twice to Celery is still sent once: ``deliver`` locks
    it and skips it when it is no longer queued."""
    cutoff = timezone.now() - older_than
    ids = list(
        OutgoingEmail.objects.due()
        .filter(next_attempt_at__lte=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        enqueue(pk)
    return len(ids)
