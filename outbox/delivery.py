"""Sending one outbox row over SMTP.

``deliver`` is what ``outbox.tasks.deliver_email`` runs: it locks the row, skips it if already
sent, sends, and records the outcome. A transient SMTP failure (4xx, a dropped connection)
leaves the row queued with a later ``next_attempt_at``; a permanent one (5xx) marks it failed.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import threading
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


class TransientEmailError(Exception):
    """Sending failed in a way that may succeed later; the row stays queued."""


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
                # body, see outbox.personal_data), and the log names only the row and the error class.
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
