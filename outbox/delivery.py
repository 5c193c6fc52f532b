"""Sending one outbox row over SMTP, in three steps that each stand on their own.

1. **Claim** (one short committed transaction): lock the row, and if it is queued and due mark
   it ``SENDING``, count the attempt, and give it its ``Message-ID`` the first time. A second
   worker handed the same id now finds it ``SENDING`` and leaves it alone, so a row is never
   sent by two workers at once.
2. **Send**, outside any transaction: no row lock or open transaction is held while a slow SMTP
   server takes its time, and nothing about the message's fate depends on a COMMIT that comes
   after the server has accepted it.
3. **Record** the outcome with one conditional UPDATE (only if the row is still this attempt's):
   ``SENT`` (a secret message loses its body in the same UPDATE); or, for a transient failure
   (4xx, a dropped connection), back to ``QUEUED`` with a later ``next_attempt_at`` (1, 2, 4 …
   minutes, at most an hour apart) until ``OUTBOX_RETRY_HOURS`` after the first attempt; or
   ``FAILED`` for a permanent one (5xx) or once that period is over, with an ERROR in the log
   and a count in the admin.

A worker that dies between 1 and 3 leaves the row ``SENDING``: the server may or may not have
the message. ``requeue_stalled`` (run by the sweep) treats such a row, once it has been sending
for longer than ``SENDING_TIMEOUT``, as possibly delivered and queues it again; it goes out with
the same ``Message-ID``, so a second copy is recognisably the same message. SMTP offers no way
to ask a server whether it already has a message, so "possibly twice, recognisably" is the
choice here over "possibly never".

Retries are not Celery retries: the row's ``next_attempt_at`` is the schedule, and the sweep
(every minute) hands due rows to Celery, for as long as the retry period lasts.

A batch (``deliver_many``, a mail-out's ``deliver_emails`` task) takes step 1 for all its rows
in one statement, then steps 2 and 3 row by row: each outcome is recorded before the next
message is sent, so a worker killed half-way has at most the message on the wire unrecorded.
The rows it had claimed and not yet sent are not duplicates: the sweep finds them stalled and
they go out once, with their Message-ID.

Where the ORM is set aside, it is for what thousands of messages an hour cost: the claims (an
UPDATE that returns the rows, which the ORM cannot write) and the sent record (the ORM's
building of one UPDATE cost more than the database's work). On PostgreSQL the sent record is
committed asynchronously (``synchronous_commit`` off for that statement's own transaction): it
is visible to every connection at once and a worker killed afterwards changes nothing, but the
commit does not wait for the disk, a wait that took longer than sending the message on a busy
machine. Only a crash of the database server within a fraction of a second can lose such a
record; the row, still ``SENDING``, then goes out again with its Message-ID, as after a worker
killed mid-send. Claims and every other outcome are committed as usual.
"""

from __future__ import annotations

import functools
import logging
import random
import smtplib
import socket
import sys
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import Message
from email.policy import Compat32
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection, make_msgid
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.utils import timezone

from core.sites import site_domain, site_name

from .models import OutgoingEmail
from .renderers import render_into

logger = logging.getLogger(__name__)

# A live send is a handful of socket operations, each bounded by EMAIL_TIMEOUT (10 s); a row
# SENDING for longer than this was left by a worker that died (or lost its database) mid-send.
SENDING_TIMEOUT = timedelta(minutes=5)

# A task that finds its row queued but not due for longer than this is a duplicate the sweep
# handed over while an earlier one waited in the queue: it does nothing. (Retries are at least a
# minute apart; the slack allows for clocks that differ a little between web and worker hosts.)
CLOCK_SLACK = timedelta(seconds=30)

# Rows claimed in one statement by ``deliver_many``. Few: a worker killed (out of memory, a hard
# time limit) leaves the rows it had claimed and not yet sent for the sweep, which takes them
# after SENDING_TIMEOUT for possibly delivered; the task Celery hands out again skips them.
CLAIM_BATCH = 10

# A row claimed this long ago whose turn has only now come (a slow server) is claimed afresh
# before it is sent: well within SENDING_TIMEOUT, after which the sweep takes it for a dead
# worker's.
CLAIM_RENEW_AFTER = SENDING_TIMEOUT / 2

STALLED_ERROR = "The worker stopped while sending (possibly delivered); sent again with the same Message-ID."


class TransientEmailError(Exception):
    """Sending failed in a way that may succeed later; the row is queued for a later attempt."""


def new_message_id() -> str:
    """A globally unique ``Message-ID`` in the site's own domain (the host of ``SITE_URL``)."""
    domain = site_domain()
    host, colon, port = domain.rpartition(":")
    if colon and port.isdigit():  # no port: a colon is not allowed on the right of a Message-ID's "@"
        domain = host
    return make_msgid(domain=domain or DNS_NAME)


def sender(language: str) -> str:
    """The From of a message to a reader of ``language``: ``DEFAULT_FROM_EMAIL``'s address under
    the site's name in that language ("Mreža za občansko znanost <network@…>" for "sl").

    Only when ``DEFAULT_FROM_EMAIL``'s display name is the site's name (in any of the site's
    languages, as the default is): a deployment that chose another name, or none, keeps its
    ``DEFAULT_FROM_EMAIL`` exactly as it is."""
    return _sender(settings.DEFAULT_FROM_EMAIL, settings.SITE_NAME, language)


@functools.lru_cache(maxsize=64)
def _sender(from_email: str, site_name_setting: str, language: str) -> str:
    """``sender``, worked out once per setting and language (a worker sends thousands of messages
    with a handful of senders); ``site_name_setting`` is part of the key only, ``site_name``
    translates it."""
    name, address = parseaddr(from_email)
    site_names = {site_name(code) for code, _label in settings.LANGUAGES}
    if not address or name not in site_names:
        return from_email
    try:
        return str(Address(display_name=site_name(language), addr_spec=address))
    except (ValueError, IndexError, HeaderParseError):  # an address the email package cannot rebuild
        return from_email


class _Compat32Fast(Compat32):
    """The email package's default (``compat32``) serialisation of headers, with a short cut
    for the header lines nearly every message consists of: ASCII, on one line, short enough to
    need no folding. ``Header.encode`` returns such a value unchanged, at some 20 µs a line;
    every other header still goes through it."""

    def fold_binary(self, name: str, value: Any) -> bytes:
        if (
            isinstance(value, str)
            and value.isascii()
            and len(name) + len(value) + 2 <= self.max_line_length
            and "\n" not in value
            and "\r" not in value
        ):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


_HEADER_POLICY = _Compat32Fast()

# No run of this many "=" can appear in a part as encoded (quoted-printable writes "=" as "=3D",
# base64 pads with at most two), so a boundary starting with it (the email package's own form)
# cannot occur in a part whose source text has no such run either.
_BOUNDARY_FENCE = "=" * 15


class OutboxMessage(EmailMultiAlternatives):
    """Django's message with two costs of its serialisation taken out of the way of a mail-out:
    the header short cut above, and the boundary of each multipart part chosen here instead of
    by the generator, which compiles a regular expression per message to check its random
    boundary against the text (unless a part's text has a run of "=" that could hold one; then
    the generator chooses, as always). The bytes are the same as Django's but for the random
    boundary."""

    def message(self) -> Message:
        msg = super().message()
        msg.policy = _HEADER_POLICY  # the generator takes the top message's policy for every part
        if msg.is_multipart() and not any(_BOUNDARY_FENCE in text for text in self._texts()):
            for part in msg.walk():
                if part.get_content_maintype() == "multipart":
                    part.set_boundary(f"{_BOUNDARY_FENCE}{random.randrange(sys.maxsize):019d}==")
        return msg

    def _texts(self) -> Iterable[str]:
        yield self.body
        for item in [*self.alternatives, *self.attachments]:
            content = getattr(item, "content", None)  # an attachment given as a MIME part has none
            yield content if isinstance(content, str) else _BOUNDARY_FENCE  # not text: the generator checks


def build_message(email: OutgoingEmail, connection: Any = None) -> OutboxMessage:
    headers = dict(email.headers)
    if email.message_id:
        headers["Message-ID"] = email.message_id
    message = OutboxMessage(
        subject=email.subject,
        body=email.body_text,
        from_email=sender(email.language),
        to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers=headers,
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


def retry_period() -> timedelta:
    """How long after its first attempt a message is retried (``OUTBOX_RETRY_HOURS``)."""
    return timedelta(hours=settings.OUTBOX_RETRY_HOURS)


def deliver(*, email_id: int, connection: Any = None) -> str:
    """Send one outbox row: claim it, send it, record the outcome (see the module docstring).
    Runs outside any transaction (after the commit that wrote the row, or from a Celery task).

    Returns the resulting status (or the status that made it skip the row). Raises
    ``TransientEmailError`` when the row was put back in the queue for a later attempt."""
    email = _claim_many([email_id]).get(email_id) or _claim(email_id)
    if not isinstance(email, OutgoingEmail):
        return email
    return _send(email, connection)


def deliver_many(*, email_ids: list[int], connections: ConnectionKeeper) -> int:
    """Send several outbox rows over ``connections``' one SMTP connection: each row claimed
    before it is sent and its outcome recorded before the next is sent, as ``deliver`` does,
    but the queued, due, rendered ones claimed together, in one statement per ``CLAIM_BATCH``.
    A transient failure drops the connection and the next row opens another. Returns how many
    were sent.

    A worker killed half-way leaves the rows it had claimed and not yet sent ``SENDING``: they
    go out once the sweep finds them stalled (with their Message-ID; they were never sent, so
    not twice); only the message on the wire may arrive twice. A row claimed for longer than
    ``CLAIM_RENEW_AFTER`` by the time its turn comes is claimed afresh first (a slow server),
    so that the sweep never hands a row this worker still means to send to another one."""
    ids = list(dict.fromkeys(email_ids))
    sent = 0
    for start in range(0, len(ids), CLAIM_BATCH):
        sent += _deliver_claimed_together(ids[start : start + CLAIM_BATCH], connections)
    return sent


def _deliver_claimed_together(ids: list[int], connections: ConnectionKeeper) -> int:
    claimed = _claim_many(ids)
    sent = 0
    try:
        for email_id in ids:
            email = claimed.pop(email_id, None)
            if email is None:  # not queued and due, or still to be rendered: on its own, under its lock
                email = _claim(email_id)
                if not isinstance(email, OutgoingEmail):
                    continue
            elif timezone.now() - email.last_attempt_at > CLAIM_RENEW_AFTER:
                claimed = _renew_claims([email, *claimed.values()])
                email = claimed.pop(email_id, None)
                if email is None:  # the sweep has taken it meanwhile
                    continue
            try:
                sent += _send(email, connections.get()) == OutgoingEmail.Status.SENT
            except TransientEmailError:
                connections.drop()
    except BaseException:
        _release(claimed.values())
        raise
    return sent


def _send(email: OutgoingEmail, connection: Any) -> str:
    """Send a claimed row and record the outcome (steps 2 and 3 of the module docstring)."""
    try:
        if connection is None:
            connection = get_connection()  # opened and closed around this one message
        elif getattr(connection, "connection", False) is None:
            connection.open()  # an SMTP connection the caller keeps open across messages
        build_message(email, connection=connection).send()
    except Exception as exc:
        return _record_failure(email, exc)
    # A secret message's sign-in link is nobody's business once it is on its way (OutgoingEmail).
    blanked = OutgoingEmail.blanked() if email.secret else {}
    return _record(email, status=OutgoingEmail.Status.SENT, sent_at=timezone.now(), last_error="", **blanked)


def _claim_many(email_ids: list[int]) -> dict[int, OutgoingEmail]:
    """The claim of the queued, due, rendered rows among ``email_ids`` in one statement (an
    UPDATE that returns the rows), by id: what nearly every delivery finds, at one round trip
    for a batch where ``_claim`` takes four per row. Rows missing, not queued, not due or still
    to be rendered are left alone (``_claim`` looks at each under its lock).

    A row without a Message-ID gets one here: this batch's unique ``new_message_id`` with the
    row's id added to its left part, so the database can write each row's own."""
    if not email_ids:
        return {}
    now = timezone.now()
    ops = connection_for_outbox().ops
    table = ops.quote_name(OutgoingEmail._meta.db_table)
    left, _at, right = new_message_id().rpartition("@")
    marks = ", ".join(["%s"] * len(email_ids))
    sql = (
        f"UPDATE {table} SET status = %s, attempts = attempts + 1, "
        "first_attempt_at = COALESCE(first_attempt_at, %s), last_attempt_at = %s, "
        "message_id = CASE WHEN message_id = '' THEN %s || CAST(id AS TEXT) || %s ELSE message_id END "
        f"WHERE id IN ({marks}) AND status = %s AND next_attempt_at <= %s AND renderer = '' RETURNING *"
    )
    stamp = ops.adapt_datetimefield_value(now)
    params = [OutgoingEmail.Status.SENDING.value, stamp, stamp, f"{left}.", f"@{right}", *email_ids,
              OutgoingEmail.Status.QUEUED.value, ops.adapt_datetimefield_value(now + CLOCK_SLACK)]
    return {email.pk: email for email in OutgoingEmail.objects.raw(sql, params)}


def _renew_claims(emails: list[OutgoingEmail]) -> dict[int, OutgoingEmail]:
    """Claim afresh the rows of one claim that are still this worker's (``SENDING`` since that
    claim: the sweep has not taken them meanwhile); returns them by id."""
    now = timezone.now()
    ours = OutgoingEmail.objects.filter(
        pk__in=[email.pk for email in emails], status=OutgoingEmail.Status.SENDING,
        last_attempt_at=emails[0].last_attempt_at,
    )
    ours.update(last_attempt_at=now)
    renewed = set(
        OutgoingEmail.objects.filter(pk__in=[email.pk for email in emails], last_attempt_at=now)
        .values_list("pk", flat=True)
    )
    for email in emails:
        email.last_attempt_at = now
    return {email.pk: email for email in emails if email.pk in renewed}


def _release(emails: Iterable[OutgoingEmail]) -> None:
    """Put claimed rows that were never sent back in the queue, due now (the delivery stopped
    with an exception before their turn). Best effort: what it cannot release, the sweep finds
    stalled."""
    emails = list(emails)
    if not emails:
        return
    try:
        OutgoingEmail.objects.filter(
            pk__in=[email.pk for email in emails], status=OutgoingEmail.Status.SENDING,
            last_attempt_at=emails[0].last_attempt_at,
        ).update(status=OutgoingEmail.Status.QUEUED, next_attempt_at=timezone.now())
    except Exception:  # the database may be what failed; the sweep requeues them later
        logger.warning("Could not put %s claimed outgoing emails back in the queue.", len(emails), exc_info=True)


def connection_for_outbox() -> Any:
    from django.db import connections, router

    return connections[router.db_for_write(OutgoingEmail)]


@transaction.atomic
def _claim(email_id: int) -> OutgoingEmail | str:
    """Mark the row ``SENDING`` for this attempt and commit, or say why it is not ours to send."""
    email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
    if email is None:
        return "missing"
    now = timezone.now()
    if email.status != OutgoingEmail.Status.QUEUED or email.next_attempt_at > now + CLOCK_SLACK:
        return email.status
    if email.renderer:  # written as what to render (outbox.renderers)
        try:
            with transaction.atomic():  # a savepoint: a renderer's failed query leaves the claim usable
                rendered = render_into(email)
        except Exception as exc:  # noqa: BLE001 — any renderer bug: counted, retried, then failed
            return _render_failed(email, exc, now)
        if not rendered:
            return email.status
    email.status = OutgoingEmail.Status.SENDING
    email.attempts += 1
    email.first_attempt_at = email.first_attempt_at or now
    email.last_attempt_at = now
    email.message_id = email.message_id or new_message_id()
    email.save(update_fields=["status", "attempts", "first_attempt_at", "last_attempt_at", "message_id"])
    return email


def _render_failed(email: OutgoingEmail, exc: Exception, now: datetime) -> str:
    """A message that could not be rendered counts an attempt like a failed send: tried again
    later (1, 2, 4 … minutes apart) until the retry period is over, then failed with an ERROR in
    the log and a count in the admin — never handed over again every minute for ever."""
    email.attempts += 1
    email.first_attempt_at = email.first_attempt_at or now
    email.last_attempt_at = now
    email.last_error = f"Could not be written: {type(exc).__name__}: {exc}"[:2000]
    if now >= email.first_attempt_at + retry_period():
        email.status = OutgoingEmail.Status.FAILED
        logger.error("Outgoing email %s could not be rendered within its retry period (%s); failed.",
                     email.pk, type(exc).__name__)
    else:
        email.next_attempt_at = now + retry_delay(email.attempts)
        logger.warning("Outgoing email %s could not be rendered (%s); tried again later.", email.pk, type(exc).__name__)
    email.save(update_fields=["attempts", "first_attempt_at", "last_attempt_at", "last_error", "status",
                              "next_attempt_at"])
    return email.status


def _record(email: OutgoingEmail, *, status: str, **fields: Any) -> str:
    """Write the outcome of this attempt, unless the row has moved on since it was claimed (a
    later attempt claimed it, or it was cancelled or sent again from the admin)."""
    # A success counts even if the sweep has meanwhile re-queued the row as stalled (but no
    # worker has claimed it again): then it is not sent a second time.
    statuses = [OutgoingEmail.Status.SENDING]
    if status == OutgoingEmail.Status.SENT:
        statuses.append(OutgoingEmail.Status.QUEUED)
    if not _update_this_attempt(email, statuses, status=status, **fields):
        logger.warning("Outgoing email %s changed while attempt %s was sending; outcome %s not recorded.",
                       email.pk, email.attempts, status)
        return OutgoingEmail.objects.filter(pk=email.pk).values_list("status", flat=True).first() or "missing"
    return status


_SENT_FIELDS = frozenset({"status", "sent_at", "last_error"})


def _update_this_attempt(email: OutgoingEmail, statuses: list[str], **fields: Any) -> int:
    """One UPDATE of the row if it is still in ``statuses`` at this attempt; the rows changed.
    The outcome of nearly every message (sent) is written as plain SQL (the ORM's building of
    the same statement cost more than the database's work, thousands of times per mail-out),
    and on PostgreSQL committed without waiting for the disk (see the module docstring)."""
    if set(fields) != _SENT_FIELDS:
        return OutgoingEmail.objects.filter(
            pk=email.pk, status__in=statuses, attempts=email.attempts, last_attempt_at=email.last_attempt_at
        ).update(**fields)
    connection = connection_for_outbox()
    ops = connection.ops
    table = ops.quote_name(OutgoingEmail._meta.db_table)
    marks = ", ".join(["%s"] * len(statuses))
    # On PostgreSQL, committed without waiting for the disk (see the module docstring): the
    # statement's own transaction, not a caller's, is made asynchronous (``set_config(…, true)``
    # is ``SET LOCAL``; in the statement itself, it costs no round trip of its own).
    asynchronous = (
        connection.vendor == "postgresql" and not connection.in_atomic_block and connection.get_autocommit()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, last_error = %s "
            + ("FROM (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous_commit "
               if asynchronous else "")
            + f"WHERE id = %s AND status IN ({marks}) AND attempts = %s AND last_attempt_at = %s",
            [fields["status"], ops.adapt_datetimefield_value(fields["sent_at"]), fields["last_error"], email.pk,
             *statuses, email.attempts, ops.adapt_datetimefield_value(email.last_attempt_at)],
        )
        return cursor.rowcount


def _record_failure(email: OutgoingEmail, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    code = getattr(exc, "smtp_code", "")
    now = timezone.now()
    if _is_transient(exc):
        give_up_at = email.first_attempt_at + retry_period()
        if now < give_up_at:
            next_attempt = min(now + retry_delay(email.attempts), give_up_at)
            _record(email, status=OutgoingEmail.Status.QUEUED, last_error=error, next_attempt_at=next_attempt)
            raise TransientEmailError(error)
        status = _record(email, status=OutgoingEmail.Status.FAILED, last_error=error)
        if status == OutgoingEmail.Status.FAILED:
            # The SMTP reply often quotes the recipient: it stays in the row (purged with the
            # body, see outbox.personal_data), and the log names only the row and the error class.
            logger.error(
                "Outgoing email %s given up after %s attempts over %s hours of transient failures (%s %s); "
                "network coordinators see it counted in the admin.",
                email.pk, email.attempts, settings.OUTBOX_RETRY_HOURS, type(exc).__name__, code,
            )
        return status
    status = _record(email, status=OutgoingEmail.Status.FAILED, last_error=error)
    if status == OutgoingEmail.Status.FAILED:
        logger.error("Outgoing email %s failed permanently (%s %s).", email.pk, type(exc).__name__, code)
    return status


def requeue_stalled(*, claimed_before: datetime) -> list[int]:
    """Rows left ``SENDING`` since before ``claimed_before`` (the sweep passes now minus
    ``SENDING_TIMEOUT``): queue them again, to be sent with their ``Message-ID``. Those past
    their retry period (a message that kills its worker every time, say) fail instead.

    Returns the ids queued again. Both changes are conditional UPDATEs on rows still
    ``SENDING``, so a worker that was only slow and records its outcome meanwhile wins."""
    now = timezone.now()
    stalled = OutgoingEmail.objects.stalled(claimed_before=claimed_before)
    expired = stalled.filter(first_attempt_at__lte=now - retry_period())
    expired_ids = list(expired.values_list("pk", flat=True)[:100])
    failed = expired.update(status=OutgoingEmail.Status.FAILED, last_error=STALLED_ERROR)
    if failed:
        logger.error(
            "%s outgoing email(s) given up after %s hours: their worker stopped while sending each time (ids %s).",
            failed, settings.OUTBOX_RETRY_HOURS, expired_ids,
        )
    ids = list(stalled.values_list("pk", flat=True))
    stalled.filter(pk__in=ids).update(status=OutgoingEmail.Status.QUEUED, next_attempt_at=now, last_error=STALLED_ERROR)
    return ids
