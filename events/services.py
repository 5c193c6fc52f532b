"""Every write with rules in the registration engine.

The capacity rule: ``register`` takes a row lock on the session (``_lock_session``), counts the
confirmed registrations and only then inserts, all in one transaction, so parallel requests on
PostgreSQL queue behind each other and never overbook. The one-active-registration-per-email
rule is also a partial unique constraint in the database. The limits on new registrations
(registration abuse, see ``register``) are checked and counted under the same lock. Every email
is written to the outbox inside the same transaction; signals from ``events.signals`` announce
what happened.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, IntegrityError, OperationalError, connections, transaction
from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from core import ratelimit
from core.db import insert_together, sends_together
from core.email_address import is_tagged, limit_key, normalise_email
from core.personal_data import ANONYMISED_DOMAIN
from core.sites import absolute_url
from core.zones import zone_or_none
from outbox import services as outbox
from outbox.renderers import RenderedEmail
from outbox.services import Attachment, queue_email, queue_rendered_later, rendered_email

from . import calendar, signals
from .models import Event, Registration, Session

logger = logging.getLogger(__name__)

# "Send it again" (and the re-send on a full session's refusal) sends a registration's email at
# most once within this interval (a double click or two tabs submitting at once give one email).
RESEND_INTERVAL = timedelta(minutes=5)
MANAGE_TOKEN_SALT = "events.manage-registration"


class SessionCancelledError(ValueError):
    """The session (or its event) is cancelled: it can no longer be moved."""


class RegistrationError(Exception):
    """Registration is not possible; ``message`` is shown to the visitor."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    created: bool

    @property
    def waitlisted(self) -> bool:
        return self.registration.status == Registration.Status.WAITLISTED


@dataclass(frozen=True)
class EmailSection:
    """A block another app adds to an email to one registrant (see
    ``signals.registrant_email_sections``). ``html`` must already be escaped."""

    text: str
    html: SafeString


def signed_public_id(registration: Registration, *, salt: str) -> str:
    """A registrant's own link token: the registration's public id, signed with ``salt`` (each
    kind of link has its own salt, so no token opens another kind's page)."""
    return signing.dumps(str(registration.public_id), salt=salt, compress=True)


def registrations_for_signed_token(token: str, *, salt: str) -> QuerySet[Registration]:
    """The registration a ``signed_public_id`` token carries (with its session and event), as a
    queryset for the caller to narrow; empty, without a query, for a bad or tampered token (or one
    signed with another salt)."""
    try:
        public_id = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return Registration.objects.none()
    if not (isinstance(public_id, str) and len(public_id) == 36):
        return Registration.objects.none()
    return Registration.objects.select_related("session__event").filter(public_id=public_id)


def manage_token(registration: Registration) -> str:
    return signed_public_id(registration, salt=MANAGE_TOKEN_SALT)


def registration_for_token(token: str) -> Registration | None:
    """The registration a manage link points at, or None for a bad or tampered token and for an
    anonymised registration (retention or erasure blanked it: nobody's page any more)."""
    return registrations_for_signed_token(token, salt=MANAGE_TOKEN_SALT).exclude(anonymised_q()).first()


def anonymised_q() -> Q:
    """Rows ``anonymise_registrations`` blanked: their address is ``anonymised-<id>@<ANONYMISED_DOMAIN>``
    (to exclude them wherever registrants are looked up or written to)."""
    return Q(email__startswith="anonymised-", email__endswith=f"@{ANONYMISED_DOMAIN}")


def registration_problem(session: Session, *, now: datetime | None = None) -> RegistrationError | None:
    """Why nobody can register for ``session`` right now (capacity aside), or None."""
    now = now or timezone.now()
    if session.is_cancelled:
        return RegistrationError("cancelled", str(_("This session has been cancelled.")))
    if session.event.status != Event.Status.PUBLISHED:
        return RegistrationError("closed", str(_("Registration for this event is not open.")))
    if session.start <= now:
        return RegistrationError("past", str(_("This session has already started or taken place.")))
    if session.registration_opens_at and session.registration_opens_at > now:
        return RegistrationError("not_open", str(_("Registration for this session has not opened yet.")))
    if session.registration_closes_at and session.registration_closes_at <= now:
        return RegistrationError("closed", str(_("Registration for this session has closed.")))
    return None


class SessionBusy(Exception):
    """The session's row lock was not free within ``LOCK_TIMEOUT``: nothing was written; the
    visitor is asked to try again in a moment (503 with ``Retry-After``)."""


# How long a registration waits for its session's row lock before answering "busy" (as pretix
# does): the lock is held only for a count and an insert or two, so this is long enough for a
# queue of hundreds, and short enough that an overloaded moment answers instead of piling up
# requests until the web server's own timeout. PostgreSQL only (SQLite takes no row locks).
LOCK_TIMEOUT = "3s"
BUSY_RETRY_AFTER = 5  # seconds, in the 503's Retry-After


def _lock_session(session_id: int, *, to_register: bool = False, email: str = "") -> Session:
    """Lock the session row (only that row: ``of=("self",)`` keeps the joined event row
    unlocked, so registrations for different sessions of one event do not queue behind each
    other, and an admin saving the event does not deadlock with them) until the transaction
    ends; parallel registrations for the same session wait here (a visitor's for
    ``LOCK_TIMEOUT`` at most: ``_busy_after_lock_timeout``). ``to_register``: the lighter read
    of ``_session_to_register``, which sets that timeout itself and on PostgreSQL counts the
    seats (for ``email``) in the same round trip. (The concurrency control test replaces this
    with a version that takes no lock.)"""
    if to_register:
        return _session_to_register(session_id, email=email)
    return Session.objects.select_for_update(of=("self",)).select_related("event").get(pk=session_id)


@functools.cache
def _session_to_register_sql(vendor: str, lock: str) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    session, event = Session._meta, Event._meta
    columns = ", ".join(f"s.{quote(field.column)}" for field in session.concrete_fields)
    return (
        f"SELECT {columns}, e.{quote(event.get_field('status').column)} AS event_status, "
        f"e.{quote(event.get_field('slug').column)} AS event_slug "
        f"FROM {quote(session.db_table)} s INNER JOIN {quote(event.db_table)} e "
        f"ON e.{quote(event.pk.column)} = s.{quote(session.get_field('event').column)} "
        f"WHERE s.{quote(session.pk.column)} = %s{lock}"
    )


def _session_to_register(session_id: int, *, email: str = "") -> Session:
    """``_lock_session`` for ``register``: the session row locked, with only what registering
    reads of its event (status and slug; another field is read if asked for, one query more).
    Hand-written SQL (built from the models' metadata, the same on SQLite, which takes no row
    locks): the ORM's query for it costs three times the CPU, and this runs under the lock that
    every registration for the session queues behind.

    Where the connection ``sends_together`` (PostgreSQL), one round trip sets the transaction's
    ``lock_timeout``, takes the lock and counts the seats and ``email``'s registration, as three
    statements: the count is its own statement, so it reads what was committed until the lock
    was granted (one statement that locked and counted would count from before its wait, and
    overbook: ``tests/events/test_concurrency.py``). The count, and the id a new registration
    will have (drawn from its sequence by the same statement), come back as the session's
    ``counted`` (``Counted``), which ``_register_once`` takes off it at once: between the lock
    and the commit a newcomer's registration then makes one round trip, its inserts (and the
    client's allowance its own, on a public post). On PostgreSQL otherwise, the timeout is set
    in a round trip of its own before the lock."""
    connection = connections[DEFAULT_DB_ALIAS]
    features = connection.features
    lock = " FOR UPDATE OF s" if features.has_select_for_update_of else " FOR UPDATE" if features.has_select_for_update else ""
    sql = _session_to_register_sql(connection.vendor, lock)
    together = sends_together(connection)
    with connection.cursor() as cursor:
        if together:
            cursor.execute(
                f"{_SET_LOCK_TIMEOUT}; {sql}; {_seats_and_mine_sql(next_id=True)}",
                [LOCK_TIMEOUT, session_id, *_seats_and_mine_params(session_id, email, next_id=True)],
            )
            cursor.nextset()
        else:
            if connection.vendor == "postgresql":
                cursor.execute(_SET_LOCK_TIMEOUT, [LOCK_TIMEOUT])
            cursor.execute(sql, [session_id])
        names = [column[0] for column in cursor.description]
        row = cursor.fetchone()
        counted = cursor.fetchone() if together and cursor.nextset() else None
    if row is None:
        raise Session.DoesNotExist(f"No session {session_id}.")
    values = dict(zip(names, row, strict=True))
    session = Session.from_db(
        DEFAULT_DB_ALIAS, [field.attname for field in Session._meta.concrete_fields],
        [_from_db(field, values[field.column], connection) for field in Session._meta.concrete_fields],
    )
    loaded = {"id": session.event_id, "status": values["event_status"], "slug": values["event_slug"]}
    names = [field.attname for field in Event._meta.concrete_fields if field.attname in loaded]  # the model's order
    session.event = Event.from_db(DEFAULT_DB_ALIAS, names, [loaded[name] for name in names])
    if counted is not None:
        session.counted = Counted(*counted)
    return session


@dataclass(frozen=True)
class Counted:
    """What ``_session_to_register`` counted under the lock for the address it was given: the
    confirmed seats, the id of the address's active registration (None if it has none) and the
    id drawn for a new registration."""

    confirmed: int
    mine: int | None
    next_id: int


def _from_db(field: Any, value: Any, connection: Any) -> Any:
    """A column's value as the ORM would load it (the backend's and the field's converters:
    SQLite's datetimes are text)."""
    expression = field.get_col(field.model._meta.db_table)
    for convert in (*connection.ops.get_db_converters(expression), *field.get_db_converters(connection)):
        value = convert(value, expression, connection)
    return value


LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's lock_not_available
_SET_LOCK_TIMEOUT = "SELECT set_config('lock_timeout', %s, true)"  # for this transaction only


@contextmanager
def _busy_after_lock_timeout(*, set_timeout: bool = True) -> Iterator[None]:
    """A visitor's transaction (registering, switching): every lock it waits for — the session's,
    a rate-limit counter's — is waited for ``LOCK_TIMEOUT`` at most, then the whole transaction
    rolls back and ``SessionBusy`` is raised (503 with Retry-After). The coordinators' actions in
    the admin wait as long as it takes. ``set_timeout=False``: the caller's locking query sets
    it (``_session_to_register``)."""
    try:
        with transaction.atomic():
            connection = transaction.get_connection()
            if set_timeout and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(_SET_LOCK_TIMEOUT, [LOCK_TIMEOUT])
            yield
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise SessionBusy from exc
        raise


def register(
    *,
    session: Session,
    name: str,
    email: str,
    affiliation: str = "",
    role: str = "",
    consent_text: str,
    mailing_list_opt_in: bool = False,
    language: str = "",
    client: str = "",
    answers: dict | None = None,
    time_zone: str = "",
) -> RegistrationResult:
    """Register someone for a session: confirmed while seats are free, otherwise on the waiting
    list (if the session has one). Locks the session row; writes the confirmation (with a
    calendar file) or waiting-list email to the outbox. A repeat for an open session returns the
    existing registration (``created=False``) and sends nothing: the result page says so and
    offers "send it again" (``send_again``, an explicit POST).

    Raises ``RegistrationError`` for cancelled, past, not-yet-open, closed and full sessions and
    for a client that has used up its allowance for the session (``client_cap``), and
    ``core.ratelimit.RateLimited`` over the hourly limit on plus-tagged addresses. A new
    registration stores ``answers`` (to the event's questions) and ``time_zone`` (the browser's; "" if unknown).

    Registration abuse (nobody proves the address, so the rules assume a stranger may type
    anyone's): on a full (or closed) session the answer never tells whether the address is
    registered — a registrant is told the same as a newcomer, and their email is re-sent (within
    the interval rule, committed although the call raises). ``client`` (the visitor's IP
    address or IPv6 /64, ``core.ratelimit.limited_client``; empty for the admin and other callers, which are
    not limited) brings the allowances of ``_new_registration_limits``. They count only *new*
    registrations, so repeats with someone's address cost its owner nothing; they are checked
    before the address is looked up, so their answer does not depend on it either; and they
    are counted under the session lock, in this transaction, so parallel requests cannot pass
    them together and a rolled-back registration counts nothing.
    """
    email = normalise_email(email)
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    new = {
        "name": name, "affiliation": affiliation, "role": role, "consent_text": consent_text,
        "mailing_list_opt_in": mailing_list_opt_in, "language": language, "answers": dict(answers or {}),
        "time_zone": _known_time_zone(time_zone),
    }
    try:
        outcome = _register_once(session.pk, email=email, client=client, new=new)
    except IntegrityError:
        # The same address inserted by a concurrent transaction (only possible when the lock was
        # not taken): everything rolled back; once more, the address's registration is found.
        outcome = _register_once(session.pk, email=email, client=client, new=new)
    if isinstance(outcome, RegistrationError):
        raise outcome  # after the transaction: a re-sent email is kept
    return outcome


def _register_once(
    session_id: int, *, email: str, client: str, new: dict[str, Any]
) -> RegistrationResult | RegistrationError:
    """``register``'s transaction: the result, or the refusal to raise once it has committed."""
    with _busy_after_lock_timeout(set_timeout=False):
        locked = _lock_session(session_id, to_register=True, email=email)
        # Taken off the session at once: the session leaves with the result, its count must not.
        counted = locked.__dict__.pop("counted", None)
        cap, limits = _new_registration_limits(locked, email=email, client=client)
        if cap is not None and cap.exhausted():
            raise RegistrationError("client_cap", str(_CLIENT_CAP_MESSAGE))
        ratelimit.refuse_if_exhausted(limits)
        existing, free = _existing_and_free_seats(locked, email=email, counted=counted)
        problem = _refusal(locked, free=free)
        if problem is None and existing is not None:
            existing.session = locked
            return RegistrationResult(registration=existing, created=False)  # nothing sent: see the docstring
        if problem is None:
            return _create_registration(
                locked, free=free, counters=[*limits, cap] if cap else limits, email=email,
                registration_id=counted.next_id if counted else None, **new
            )
        if existing is not None and problem.code not in ("cancelled", "past"):
            _resend_registration_email(existing, session=locked)  # told by email, not by the page
    return problem


def _known_time_zone(value: str) -> str:
    """``value`` if it names a time zone this server knows, else ""."""
    value = (value or "").strip()
    return value if zone_or_none(value) is not None else ""


# Allowances for *new* registrations through the public form, per session. Constants, not
# settings: they are the abuse rule, not a deployment choice.
#
# A client (an IP address; an IPv6 /64) makes at most NEW_PER_CLIENT new registrations per
# session in total — enough for someone registering a colleague or two, too few to hoard seats
# with made-up addresses. A total, not a rate: registration for a session may be open for months,
# and any window shorter than that (or aligned to anything but the session) would hand out the
# allowance again inside it. It is a ``core.ratelimit.Cap`` counted until the session starts
# (when registration closes at the latest), keyed by the session *and* its start, so that moving
# the session cannot let the counter expire while registration is still open; the price is that
# a moved session starts every client's count afresh. Cancelling does not give the allowance
# back. Over it, the form says what a group sharing one connection can do (_CLIENT_CAP_MESSAGE).
#
# The plus-tagged variants of one address (ana+1@…, ana+2@…: one mailbox) make at most
# NEW_PER_TAGGED_ADDRESS per session per hour; the plain address is never limited, because the
# database holds one active registration per address and session, so a stranger typing it makes
# at most one — which its owner can then use.
NEW_PER_CLIENT = 3
NEW_PER_TAGGED_ADDRESS = "5/h"

_CLIENT_CAP_MESSAGE = _(
    "No more registrations for this session are accepted from your network connection: a few "
    "people have already registered through it. Others in your group can register from another "
    "connection, for example a phone's mobile data."
)


def _new_registration_limits(
    session: Session, *, email: str, client: str
) -> tuple[ratelimit.Cap | None, list[ratelimit.Limit]]:
    """The client's allowance for ``session`` (None for callers that pass no client) and the
    rate limits on new registrations with ``email``."""
    if not client:
        return None, []
    key = f"{session.pk}:{int(session.start.timestamp())}:{client}"
    cap = ratelimit.Cap("registration:new:client", key, NEW_PER_CLIENT, until=session.start)
    limits = []
    if is_tagged(email):
        key = f"{session.pk}:{limit_key(email)}"
        limits.append(ratelimit.Limit("registration:new:address", key, NEW_PER_TAGGED_ADDRESS))
    return cap, limits


def _refusal(session: Session, *, free: int) -> RegistrationError | None:
    """Why a newcomer cannot register for the locked session (``free`` seats left):
    ``registration_problem``, or full without a waiting list."""
    problem = registration_problem(session)
    if problem is None and not session.has_waiting_list and free <= 0:
        problem = RegistrationError("full", f"{_('This session is full.')} {_FULL_REGISTRANT_HINT}")
    return problem


# Shown to everyone alike on a full session: a registrant is told nothing else by the page
# (their confirmation is emailed again), so the page cannot tell who is registered.
_FULL_REGISTRANT_HINT = _("If you registered for it earlier, your registration stands and we have emailed you its confirmation.")


def _existing_and_free_seats(
    session: Session, *, email: str, counted: Counted | None = None
) -> tuple[Registration | None, int]:
    """The address's active registration for the locked session (if any) and the seats left, in
    one query for a newcomer (a second one fetches an existing registration). Hand-written SQL
    for the reason ``_session_to_register`` gives (the ORM's aggregate costs six times the CPU)."""
    if counted is not None:  # by _session_to_register, under the lock
        confirmed, mine = counted.confirmed, counted.mine
    else:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(_seats_and_mine_sql(), _seats_and_mine_params(session.pk, email))
            confirmed, mine = cursor.fetchone()
    existing = Registration.objects.get(pk=mine) if mine is not None else None
    return existing, session.capacity - (confirmed or 0)


def _seats_and_mine_params(session_id: int, email: str, *, next_id: bool = False) -> list[Any]:
    drawn = [Registration._meta.db_table, Registration._meta.pk.column] if next_id else []
    return [Registration.Status.CONFIRMED, email, Registration.Status.CANCELLED, *drawn, session_id]


@functools.cache
def _seats_and_mine_sql(*, next_id: bool = False) -> str:
    """Confirmed seats and the address's active registration; ``next_id`` (PostgreSQL): and the
    id the next registration will have."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    meta = Registration._meta
    pk, status, email = (quote(meta.get_field(name).column) for name in ("id", "status", "email"))
    table = quote(meta.db_table)
    drawn = ", nextval(pg_get_serial_sequence(%s, %s))" if next_id else ""  # the table and its key
    return (
        f"SELECT COALESCE(SUM(CASE WHEN {status} = %s THEN 1 ELSE 0 END), 0), "
        f"MAX(CASE WHEN {email} = %s AND {status} <> %s THEN {pk} END){drawn} "
        f"FROM {table} WHERE {quote(meta.get_field('session').column)} = %s"
    )


def _create_registration(
    session: Session,
    *,
    free: int,
    counters: Sequence[ratelimit.Limit | ratelimit.Cap],
    email: str,
    name: str,
    affiliation: str,
    role: str,
    registration_id: int | None = None,
    **fields: Any,
) -> RegistrationResult:
    """Insert a newcomer's registration into the locked session (confirmed while a seat is free,
    else waitlisted: ``_refusal`` has ruled out a full session without a waiting list), with
    its email, count it against ``counters`` and announce it. ``registration_id``: drawn under
    the lock (``Counted``), so the row and its email go in one round trip."""
    now = timezone.now()
    seat: dict[str, Any] = (
        {"status": Registration.Status.CONFIRMED, "confirmed_at": now}
        if free > 0
        else {"status": Registration.Status.WAITLISTED, "confirmed_at": None}
    )
    registration = Registration(
        session=session, name=name.strip(), email=email, affiliation=affiliation.strip(),
        role=role.strip(), consent_given_at=now, confirmation_sent_at=now, **seat, **fields,
    )
    if registration_id is not None:
        registration.pk = registration_id
    else:
        registration.save(force_insert=True)  # its key is in the email's
    # The confirmation or waiting-list email, as what to render; its key names the new row, so
    # no message can hold it yet. No savepoint: a duplicate address (only possible without the
    # lock) fails the whole transaction, and ``register`` runs it once more.
    message = outbox.new_rendered_later(**_registration_email(registration, session=session, now=now))
    insert_together(*([registration, message] if registration_id is not None else [message]))
    outbox.hand_over_after_commit(message)
    for counter in counters:
        counter.record()
    _announce_new_registration(registration, session=session)
    return RegistrationResult(registration=registration, created=True)


def _announce_new_registration(registration: Registration, *, session: Session) -> None:
    """Tell the listening apps (the email is written with the row)."""
    registration.session = session
    if registration.status == Registration.Status.CONFIRMED:
        signals.registration_confirmed.send(sender=Registration, registration=registration)
    if registration.mailing_list_opt_in:
        email, language = registration.email, registration.language
        transaction.on_commit(
            lambda: signals.registration_opt_in.send(
                sender=Registration, email=email, language=language, registration=registration
            )
        )


@transaction.atomic
def anonymise_registrations(*, registrations: QuerySet[Registration]) -> int:
    """Blank the personal fields of ``registrations`` in one UPDATE (the retention rule and
    erasure requests both use this). The rows and so the seat counts stay; the placeholder
    address ``anonymised-<id>@invalid`` is unique per row, so the one-active-registration-per-
    address constraint still holds. Rows already anonymised are left alone."""
    placeholder = Concat(Value("anonymised-"), Cast("pk", output_field=CharField()), Value(f"@{ANONYMISED_DOMAIN}"))
    return registrations.exclude(anonymised_q()).update(
        name="", affiliation="", role="", email=placeholder
    )


@transaction.atomic
def cancel_registration(*, registration: Registration) -> Registration:
    """Cancel a registration (idempotent), tell the person, and give a freed seat to the
    waiting list in order. Locks the session row."""
    session = _lock_session(registration.session_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == Registration.Status.CANCELLED:
        return registration
    was_confirmed = registration.status == Registration.Status.CONFIRMED
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.calendar_sequence += 1
    registration.save(update_fields=["status", "cancelled_at", "calendar_sequence", "updated_at"])
    # A join link or reminder still waiting to go out would now be wrong.
    outbox.cancel_queued(groups=[registration_outbox_group(registration)])
    registration.session = session
    queue_registrant_email(
        registration,
        session=session,
        template="events/registration_cancelled",
        key=f"{_key(registration, session)}:cancelled",
        ics_cancel=was_confirmed,
        with_ics=was_confirmed,
    )
    signals.registration_cancelled.send(sender=Registration, registration=registration)
    if was_confirmed:
        _promote_waiting(session)
    return registration


@transaction.atomic
def fill_from_waiting_list(*, session: Session) -> list[Registration]:
    """Confirm people from the waiting list while seats are free (after a capacity increase)."""
    return _promote_waiting(_lock_session(session.pk))


def _promote_waiting(session: Session) -> list[Registration]:
    """The caller holds the session lock. Promotes in order of registration and tells each.
    Nobody is promoted into a cancelled session or a session of a cancelled event."""
    if session.is_cancelled or session.is_past:
        return []
    free = session.capacity - session.registrations.confirmed().count()
    promoted: list[Registration] = []
    if free <= 0:
        return promoted
    for registration in session.registrations.waiting().select_for_update()[:free]:
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = timezone.now()
        registration.calendar_sequence += 1  # the invitation it now gets replaces any earlier one
        registration.save(update_fields=["status", "confirmed_at", "calendar_sequence", "updated_at"])
        registration.session = session
        queue_registrant_email(
            registration,
            session=session,
            template="events/registration_promoted",
            key=f"{_key(registration, session)}:promoted:{registration.calendar_sequence}",
            purpose="promotion",
        )
        signals.registration_promoted.send(sender=Registration, registration=registration)
        promoted.append(registration)
    return promoted


@transaction.atomic
def move_session(*, session: Session, start: datetime, end: datetime, time_zone: str | None = None) -> Session:
    """Move a session; raise its calendar SEQUENCE and tell every active registrant (with an
    updated calendar file). No change, no emails. Raises ``SessionCancelledError`` for a
    cancelled session or a session of a cancelled event: its registrants were told it is off."""
    locked = _lock_session(session.pk)
    time_zone = time_zone or locked.time_zone
    if locked.start == start and locked.end == end and locked.time_zone == time_zone:
        return locked
    if locked.is_cancelled:
        raise SessionCancelledError(str(_("A cancelled session cannot be moved.")))
    if end <= start:
        raise ValueError("A session must end after it starts.")
    old_start, old_end, old_time_zone = locked.start, locked.end, locked.time_zone
    locked.start, locked.end, locked.time_zone = start, end, time_zone
    locked.sequence += 1
    locked.save(update_fields=["start", "end", "time_zone", "sequence", "updated_at"])
    _raise_calendar_sequences(locked)
    for registration in locked.registrations.active():
        registration.session = locked
        queue_registrant_email(
            registration,
            session=locked,
            template="events/session_changed",
            key=f"{_key(registration, locked)}:moved:{locked.sequence}",
            purpose="session_changed",
            extra={"old_start": old_start, "old_end": old_end, "old_time_zone": old_time_zone},
            with_ics=registration.status == Registration.Status.CONFIRMED,
        )
    signals.session_changed.send(sender=Session, session=locked, old_start=old_start, old_end=old_end)
    return locked


def _raise_calendar_sequences(session: Session) -> None:
    """Raise the calendar SEQUENCE of every active registrant of the locked ``session`` (one
    UPDATE; a bookkeeping write, so the public seat counts' cache is left alone)."""
    session.registrations.active().update(calendar_sequence=F("calendar_sequence") + 1)


@transaction.atomic
def cancel_session(*, session: Session) -> Session:
    """Cancel a session and tell every active registrant (METHOD:CANCEL calendar file)."""
    locked = _lock_session(session.pk)
    if locked.status == Session.Status.CANCELLED:
        return locked
    locked.status = Session.Status.CANCELLED
    locked.sequence += 1
    locked.save(update_fields=["status", "sequence", "updated_at"])
    _raise_calendar_sequences(locked)
    registrations = list(locked.registrations.active())
    # What is still waiting to go to them (a confirmation not yet sent) is overtaken by this.
    outbox.cancel_queued(groups=[registration_outbox_group(r) for r in registrations])
    for registration in registrations:
        registration.session = locked
        queue_registrant_email(
            registration,
            session=locked,
            template="events/session_cancelled",
            key=f"{_key(registration, locked)}:session-cancelled",
            ics_cancel=True,
            with_ics=registration.status == Registration.Status.CONFIRMED,
        )
    signals.session_cancelled.send(sender=Session, session=locked)
    return locked


@transaction.atomic
def cancel_event(*, event: Event) -> Event:
    """Cancel a whole event: mark it cancelled and cancel each of its scheduled sessions that has
    not ended through ``cancel_session``, so every registrant gets the cancellation (with a
    METHOD:CANCEL calendar file). Idempotent. Locks the event row, then each session row."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status != Event.Status.CANCELLED:
        locked.status = Event.Status.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
    sessions = Session.objects.filter(
        event=locked, status=Session.Status.SCHEDULED, end__gt=timezone.now()
    ).order_by("start", "id")
    for session in sessions:
        cancel_session(session=session)
    event.status = locked.status
    return locked


# ----------------------------------------------------------------------------------------
# The participant's own registration: the result page, "send it again", switching dates
# ----------------------------------------------------------------------------------------


def waiting_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list of the registration's session, None when not waiting."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = (
        Registration.objects.filter(session_id=registration.session_id, status=Registration.Status.WAITLISTED)
        .filter(
            Q(waitlisted_at__lt=registration.waitlisted_at)
            | Q(waitlisted_at=registration.waitlisted_at, pk__lt=registration.pk)
        )
        .count()
    )
    return ahead + 1


def next_resend_at(registration: Registration) -> datetime | None:
    """When "send it again" may send the registration's email next (None: now)."""
    sent = registration.confirmation_sent_at
    if sent and timezone.now() - sent < RESEND_INTERVAL:
        return sent + RESEND_INTERVAL
    return None


def send_again(*, registration: Registration, ignore_interval: bool = False) -> bool:
    """"Send it again" (the result page and the own page): the registration's current email
    with its link, through the outbox, unless it went out within ``RESEND_INTERVAL`` (then
    False; the admin's resend action passes ``ignore_interval``). Nothing (False) for a
    cancelled registration, or a session that is off or over."""
    with transaction.atomic():
        session = _lock_session(registration.session_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED or session.is_cancelled or session.end <= timezone.now():
            return False
        if not ignore_interval and next_resend_at(registration) is not None:
            return False
        registration.session = session
        _send_registration_email(registration, session=session, resend=True)
        return True


def send_manage_links(*, email: str) -> int:
    """Someone lost (or broke) their link: re-send the email of each active registration of
    ``email`` for a session that has not ended (each at most once per ``RESEND_INTERVAL``).
    Returns how many went out — for tests: the visitor is told the same whatever it is."""
    address = normalise_email(email)
    ids = list(
        Registration.objects.active()
        .filter(email=address, session__end__gt=timezone.now())
        .values_list("pk", flat=True)[:20]
    )
    return sum(send_again(registration=registration) for registration in Registration.objects.filter(pk__in=ids))


def switch_options(registration: Registration) -> list[Session]:
    """The other dates of the registration's event one can switch to now, with their counts."""
    return list(
        Session.objects.open_for_registration()
        .filter(event_id=registration.session.event_id)
        .exclude(pk=registration.session_id)
        .select_related("event")
        .with_counts()
        .order_by("start", "id")
    )


def _lock_sessions(*session_ids: int) -> dict[int, Session]:
    """Lock several session rows, always in the order of their keys: two switches in opposite
    directions then queue behind each other instead of deadlocking."""
    return {pk: _lock_session(pk) for pk in sorted(set(session_ids))}


def switch_registration(
    *, registration: Registration, session: Session, accept_waiting_list: bool = False, client: str = ""
) -> Registration:
    """Move a registration to another date of the same event, atomically.

    Both session rows are locked (in key order). The person keeps their current place until the
    new one is certain: they are confirmed on the new date while it has a free seat; on a full
    date with a waiting list only with ``accept_waiting_list`` (else ``RegistrationError``
    "waiting_list", and nothing changes); a full date without one refuses ("full"). The capacity
    rule and the allowances are those of ``register``: a switch counts as a new registration for
    the new date against ``client``. A seat given up goes to the first on the old date's waiting
    list (as in ``cancel_registration``). The registration keeps its row, its link and its
    calendar entry (UID); one email (the new date's confirmation or waiting-list note) carries
    one calendar file with a raised SEQUENCE: METHOD:REQUEST with the new time when confirmed,
    METHOD:CANCEL when they gave up a seat for a waiting list."""
    with _busy_after_lock_timeout():
        current_id = Registration.objects.values_list("session_id", flat=True).get(pk=registration.pk)
        locked = _lock_sessions(current_id, session.pk)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        old, new = locked[current_id], locked[session.pk]
        if registration.session_id != current_id:
            raise RegistrationError("changed", str(_("Your registration changed meanwhile. Please try again.")))
        existing, free = _existing_and_free_seats(new, email=registration.email)
        _check_switch(registration, old=old, new=new, existing=existing, free=free)
        cap, limits = _new_registration_limits(new, email=registration.email, client=client)
        if cap is not None and cap.exhausted():
            raise RegistrationError("client_cap", str(_CLIENT_CAP_MESSAGE))
        ratelimit.refuse_if_exhausted(limits)
        if free <= 0 and not accept_waiting_list:
            raise RegistrationError("waiting_list", str(_("That date is full. You can join its waiting list.")))
        for counter in [*limits, cap] if cap else limits:
            counter.record()
        _move(registration, old=old, new=new, confirmed=free > 0)
        return registration


def _check_switch(
    registration: Registration, *, old: Session, new: Session, existing: Registration | None, free: int
) -> None:
    """Why the locked registration cannot move from ``old`` to ``new`` (raises): ``existing`` is
    the address's active registration for ``new`` and ``free`` its seats left
    (``_existing_and_free_seats``); a full date is refused here only without a waiting list."""
    if registration.status == Registration.Status.CANCELLED:
        raise RegistrationError("cancelled_registration", str(_("This registration is cancelled.")))
    if old.is_cancelled or old.is_past:
        raise RegistrationError("old_over", str(_("Your date can no longer be changed.")))
    if new.event_id != old.event_id or new.pk == old.pk:
        raise RegistrationError("other_event", str(_("Choose another date of the same event.")))
    problem = registration_problem(new)
    if problem is not None:
        raise problem
    if existing is not None:
        raise RegistrationError("already", str(_("You are already registered for that date.")))
    if not new.has_waiting_list and free <= 0:
        raise RegistrationError("full", str(_("That date is full.")))


def _move(registration: Registration, *, old: Session, new: Session, confirmed: bool) -> None:
    """Move the locked registration to the locked ``new`` session, give up its place on ``old``,
    tell the person and the listening apps. ``created_at`` (when they registered) is kept; on
    the new date's waiting list they queue from now (``waitlisted_at``)."""
    now = timezone.now()
    held_seat = registration.status == Registration.Status.CONFIRMED
    registration.session = new
    registration.status = Registration.Status.CONFIRMED if confirmed else Registration.Status.WAITLISTED
    registration.confirmed_at = now if confirmed else None
    registration.calendar_sequence += 1
    fields = ["session", "status", "confirmed_at", "calendar_sequence", "updated_at"]
    if not confirmed:
        registration.waitlisted_at = now  # the end of the new date's waiting list, not the head
        fields.append("waitlisted_at")
    registration.save(update_fields=fields)
    # Reminders and join links still waiting to go out are about the old date.
    outbox.cancel_queued(groups=[registration_outbox_group(registration)])
    queue_registrant_email(
        registration,
        session=new,
        template="events/registration_confirmed" if confirmed else "events/registration_waitlisted",
        key=f"{_key(registration, new)}:switch:{registration.calendar_sequence}",
        purpose="confirmation",
        extra={
            "switched": True, "old_start": old.start, "old_end": old.end, "old_time_zone": old.time_zone,
            **({} if confirmed else {"position": waiting_position(registration)}),
        },
        # One file for the person's one entry: the new time, or its cancellation if they gave
        # up a seat to wait; nothing if they were not holding a seat and still are not.
        with_ics=confirmed or held_seat,
        ics_cancel=not confirmed,
    )
    _mark_sent(registration, now)
    signals.registration_switched.send(sender=Registration, registration=registration, old_session=old)
    if confirmed:
        signals.registration_confirmed.send(sender=Registration, registration=registration)
    if held_seat:
        _promote_waiting(old)


# ----------------------------------------------------------------------------------------
# Emails
# ----------------------------------------------------------------------------------------


def _resend_registration_email(registration: Registration, *, session: Session) -> None:
    """A repeated submit that is refused (a full session without a waiting list, a closed one):
    the page cannot say more than to a newcomer, so the email goes again to the address, unless
    it went out within ``RESEND_INTERVAL`` (``next_resend_at``)."""
    if next_resend_at(registration) is not None:
        return
    registration.session = session
    _send_registration_email(registration, session=session, resend=True)


REGISTRATION_EMAIL_RENDERER = "events.registration_email"


def _send_registration_email(registration: Registration, *, session: Session, resend: bool = False) -> None:
    """Write the confirmation (with its calendar file) or the waiting-list email again, as what
    to render (``outbox.renderers``), and note when."""
    now = timezone.now()
    queue_rendered_later(**_registration_email(registration, session=session, now=now, resend=resend))
    _mark_sent(registration, now)


def _registration_email(
    registration: Registration, *, session: Session, now: datetime, resend: bool = False
) -> dict[str, Any]:
    """The confirmation or waiting-list email about ``registration``, as what to render: this
    runs under the session's row lock, which is held only for the count, the inserts and these
    rows; the worker renders the message from the ids."""
    confirmed = registration.status == Registration.Status.CONFIRMED
    key = f"{_key(registration, session)}:{registration.status}"
    if resend:
        key += f":resend:{now.timestamp():.6f}"
    return {
        "to": registration.email,
        "renderer": REGISTRATION_EMAIL_RENDERER,
        "args": {"registration_id": registration.pk, "session_id": session.pk, "confirmed": confirmed},
        "language": registration_language(registration),
        "purpose": "events/registration_confirmed" if confirmed else "events/registration_waitlisted",
        "idempotency_key": key,
        "group": registration_outbox_group(registration),
    }


def render_registration_email(*, registration_id: int, session_id: int, confirmed: bool) -> RenderedEmail | None:
    """Render a confirmation or waiting-list email written as ``_registration_email`` describes
    it, as the registration stands now (a waiting-list place is today's). None — nothing to send — when
    what it would say is no longer true: the registration or its session is gone, the
    registration was anonymised, cancelled, moved to another date, promoted or put back on the
    waiting list (each of those sent its own email), or the session or its event was cancelled."""
    registration = Registration.objects.filter(pk=registration_id).exclude(anonymised_q()).first()
    session = Session.objects.select_related("event").filter(pk=session_id).first()
    if registration is None or session is None:
        return None
    overtaken = (
        registration.session_id != session.pk
        or registration.status == Registration.Status.CANCELLED
        or (registration.status == Registration.Status.CONFIRMED) != confirmed
        or session.is_cancelled
    )
    if overtaken:
        return None
    registration.session = session
    if confirmed:
        return email_content(registration, session=session, template="events/registration_confirmed",
                             purpose="confirmation", with_ics=True)
    return email_content(registration, session=session, template="events/registration_waitlisted",
                         purpose="confirmation", with_ics=False, extra={"position": waiting_position(registration)})


def _mark_sent(registration: Registration, when: datetime) -> None:
    """Record when the registration's email went out. A bookkeeping write: an UPDATE, not
    ``save()``, whose ``post_save`` would raise the public seat counts' content area — and a
    cache miss on /events/ after a repeat submission would tell that the address is registered."""
    Registration.objects.filter(pk=registration.pk).update(confirmation_sent_at=when)
    registration.confirmation_sent_at = when


def _key(registration: Registration, session: Session) -> str:
    """The start of the idempotency key of every email about one registration on one session: a
    registration moves between sessions (a switch), so a key without the session would match
    an email about another date and drop this one."""
    return f"events:registration:{registration.pk}:s{session.pk}"


def registration_outbox_group(registration: Registration) -> str:
    """The outbox group of every message to one registrant (``outbox.services.count_by_status``)."""
    return f"registration:{registration.pk}"


def registration_language(registration: Registration) -> str:
    """The language every message to the registrant is written in: the one they registered in."""
    return registration.language or settings.LANGUAGE_CODE


def manage_url(registration: Registration) -> str:
    """The registrant's manage page, in their language."""
    with translation.override(registration_language(registration)):
        path = reverse("events:manage_registration", kwargs={"token": manage_token(registration)})
    return absolute_url(path)


def event_url(session: Session, *, language: str) -> str:
    """The absolute link to the session's event page in ``language`` (``/sl/events/…`` for "sl")."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return absolute_url(session.event.get_absolute_url())


def email_sections(registration: Registration, *, purpose: str) -> list[EmailSection]:
    responses = signals.registrant_email_sections.send(sender=Registration, registration=registration, purpose=purpose)
    return [section for _receiver, section in responses if section]


def queue_registrant_email(
    registration: Registration,
    *,
    session: Session,
    template: str,
    key: str,
    purpose: str = "",
    extra: dict | None = None,
    with_ics: bool = True,
    ics_cancel: bool = False,
) -> None:
    """Write one email to the registrant into the outbox (in the caller's transaction), as
    ``email_content`` renders it. ``with_ics`` attaches their calendar file for
    ``session`` (their entry's UID and current SEQUENCE; METHOD:CANCEL with ``ics_cancel``)."""
    content = email_content(registration, session=session, template=template, purpose=purpose, extra=extra,
                            with_ics=with_ics, ics_cancel=ics_cancel)
    queue_email(
        to=registration.email,
        subject=content.subject,
        body_text=content.body_text,
        body_html=content.body_html,
        attachments=[Attachment(**a) for a in content.attachments],
        purpose=template,
        language=registration_language(registration),
        idempotency_key=key,
        group=registration_outbox_group(registration),
    )


def email_content(
    registration: Registration,
    *,
    session: Session,
    template: str,
    purpose: str = "",
    extra: dict | None = None,
    with_ics: bool = True,
    ics_cancel: bool = False,
) -> RenderedEmail:
    """One email to the registrant, rendered in their language: ``template`` with the registration,
    its session and event, the links to the event and their own page, the sections the apps add
    for ``purpose`` (``email_sections``) and ``extra`` (which may set ``sections`` itself); with
    their calendar file for ``session`` unless ``with_ics`` is off (``calendar_attachment``).
    ``webinars`` writes its join-link emails and reminders with it too."""
    language = registration_language(registration)
    attachments = []
    # In the registrant's language, whoever causes the message (a visitor on the other language's
    # pages, a coordinator in the admin, a worker): the links lead to that language's pages, and
    # the calendar file names the event in it.
    with translation.override(language):
        if with_ics:
            attachments.append(calendar_attachment(session, registration, cancel=ics_cancel))
        context = {
            "registration": registration,
            "session": session,
            "event": session.event,
            "event_url": event_url(session, language=language),
            "manage_url": manage_url(registration),
            "sections": email_sections(registration, purpose=purpose) if purpose else [],
            **(extra or {}),
        }
    return rendered_email(template, context, language=language, attachments=attachments)


def calendar_attachment(session: Session, registration: Registration, *, cancel: bool) -> Attachment:
    """The registrant's personal calendar file for ``session``, in their language: their entry's
    UID and SEQUENCE, METHOD:REQUEST with their manage link (and the join details the apps
    add), or METHOD:CANCEL with ``cancel``."""
    return Attachment(
        filename="invite.ics",
        content=calendar.session_invitation(
            session, registration=registration, cancel=cancel, manage_link="" if cancel else manage_url(registration)
        ),
        mimetype=f"text/calendar; method={'CANCEL' if cancel else 'REQUEST'}",
    )
