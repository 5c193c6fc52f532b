"""Writing to registrants: a message (or a follow-up after a session) composed once in English and
Slovenian, previewed, test-sent to its author, then sent to the chosen registrants through the
outbox as one group, a batch per task run.

The machinery is ``mailing``'s for announcements (``mailing.services.send_announcement_batch``):
a batch locks the message, writes its emails in one transaction, moves the cursor and hands the
next batch a fresh chain token, so a resumed chain never forks. Each email's idempotency key is
``RegistrantMessage.idempotency_key`` (message and registration), so a batch that runs again after
a crash writes nobody a second copy (``outbox.services.written_keys`` lets it skip rendering those).
Cancelling cancels what is still queued in the outbox group (``outbox.services.cancel_queued``);
a registration cancelled meanwhile has its own waiting copies cancelled (``cancel_messages_to``).

Placeholders in the body — ``{name}``, ``{session_time}``, ``{manage_link}`` and, for confirmed
registrants of an online session only, ``{join_link}`` — are filled in per registrant after the
Markdown is rendered (once per language and batch, with a token for each placeholder): a value is
never read as Markdown (a name with ``*`` in it stays a name) and is escaped in the HTML part;
links become autolinks, or the target of ``[text]({manage_link})``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from modeltranslation.settings import AVAILABLE_LANGUAGES

from core import audit
from core.content import in_language, localised
from core.markdown import render_markdown, render_plain_text
from core.zones import zone_or_none
from outbox import services as outbox
from outbox.models import OutgoingEmail
from outbox.services import queue_templated_email, render_email

from . import feedback, signals
from .listing import between_text
from .models import Event, RecipientGroup, RegistrantMessage, Registration, Session
from .services import anonymised_q, event_url, manage_url, registration_language

BATCH_SIZE = 200
#: A chain is stalled when no task carrying its token has been queued for this long (as
#: ``mailing.services.STALLED_AFTER``; beat checks every 30 s, ``portal/celery.py``).
STALLED_AFTER = timedelta(seconds=75)

Kind = RegistrantMessage.Kind
State = RegistrantMessage.State

# ---------------------------------------------------------------------------------------------
# Placeholders
# ---------------------------------------------------------------------------------------------

PLACEHOLDERS = ("name", "session_time", "manage_link", "join_link")
LINK_PLACEHOLDERS = ("manage_link", "join_link")
PLACEHOLDER = re.compile(r"\{([^{}\n]{0,60})\}")
_LINK_TARGET = re.compile(r"\]\(\s*\{(" + "|".join(LINK_PLACEHOLDERS) + r")\}\s*\)")


def placeholders_in(text: str) -> list[str]:
    """The placeholder names ``text`` uses, in order of first use."""
    return list(dict.fromkeys(match.strip() for match in PLACEHOLDER.findall(text or "")))


def placeholder_problems(
    *, texts: Iterable[str], kind: str, recipients: Iterable[str], event: Event | None
) -> list[str]:
    """Why the placeholders of ``texts`` cannot be filled in for these recipients (empty: they
    can). Unknown names are refused; ``{join_link}`` only in a message (not a follow-up) to
    confirmed registrants alone, of an online or hybrid event — nobody else has a seat to join."""
    used: list[str] = []
    for text in texts:
        used += [name for name in placeholders_in(text) if name not in used]
    problems = []
    allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    for name in used:
        if name not in PLACEHOLDERS:
            problems.append(
                _("Unknown placeholder {%(name)s}. You can use: %(allowed)s.") % {"name": name, "allowed": allowed}
            )
    if "join_link" in used:
        if kind == Kind.FOLLOW_UP:
            problems.append(_("{join_link} cannot be used in a follow-up: the session is over."))
        elif set(recipients) != {RecipientGroup.CONFIRMED}:
            problems.append(
                _("{join_link} can only be used in a message to confirmed registrants alone: the other "
                  "recipients have no seat to join with. Choose only “Confirmed”, or remove {join_link}.")
            )
        elif event is not None and event.mode == Event.Mode.IN_PERSON:
            problems.append(_("{join_link} can only be used for an online or hybrid event."))
    return problems


# A placeholder is rendered as a token (a plain word, or for a link an address Markdown links and
# the plain-text part writes out), and each registrant's value replaces the token in the rendered
# parts: the Markdown is rendered once per language and batch, not once per registrant.
_TEXT_TOKEN = "PLACEHOLDER{}X"
_LINK_TOKEN = "https://placeholder.invalid/{}"


def _token(name: str) -> str:
    index = PLACEHOLDERS.index(name)
    return _LINK_TOKEN.format(index) if name in LINK_PLACEHOLDERS else _TEXT_TOKEN.format(index)


def _tokenised(text: str) -> str:
    """``text`` (Markdown) with each known placeholder replaced by its token: a link placeholder
    as the target of a Markdown link where written as one (``[my page]({manage_link})``), else as
    an autolink. Unknown placeholders are left as written (the form refuses them before sending)."""
    text = _LINK_TARGET.sub(lambda m: f"]({_token(m[1])})", text or "")

    def token(match: re.Match[str]) -> str:
        name = match[1].strip()
        if name not in PLACEHOLDERS:
            return match[0]
        return f"<{_token(name)}>" if name in LINK_PLACEHOLDERS else _token(name)

    return PLACEHOLDER.sub(token, text)


def fill_placeholders(rendered: str, values: dict[str, str], *, html: bool) -> str:
    """A rendered part (HTML or plain text) with each token replaced by the registrant's value
    (escaped in HTML)."""
    for name, value in values.items():
        rendered = rendered.replace(_token(name), conditional_escape(value) if html else value)
    return rendered


def placeholder_values(registration: Registration, *, language: str, join_link: bool) -> dict[str, str]:
    """The values for one registrant, in ``language``: the session's time in their own zone if
    the browser told it at registration, else in the session's. ``join_link`` is asked for only
    when the message uses it (it asks the apps that know meetings); without join details the
    registrant's own page stands in, which says how to join once there are any."""
    session = registration.session
    with translation.override(language):
        values = {
            "name": registration.name,
            "session_time": between_text(
                session.start,
                session.end,
                registration.time_zone if zone_or_none(registration.time_zone) is not None else session.time_zone,
            ),
            "manage_link": manage_url(registration),
        }
    if join_link:
        details = signals.join_details_for(registration)
        values["join_link"] = details.url if details else values["manage_link"]
    return values


# ---------------------------------------------------------------------------------------------
# Recipients
# ---------------------------------------------------------------------------------------------


def _scope(message: RegistrantMessage) -> QuerySet[Registration]:
    """The registrations of the message's session (or of every session of its event) that can be
    written to: not cancelled, not anonymised."""
    registrations = Registration.objects.exclude(status=Registration.Status.CANCELLED).exclude(anonymised_q())
    if message.session_id:
        return registrations.filter(session_id=message.session_id)
    return registrations.filter(session__event_id=message.event_id)


def has_absent_text(message: RegistrantMessage) -> bool:
    return any(in_language(message, "absent_body", language) for language in AVAILABLE_LANGUAGES)


def _follow_up_present() -> Q:
    """Attendees; in a session whose attendance was not recorded, the confirmed registrants."""
    recorded = Registration.objects.filter(session_id=OuterRef("session_id"), attended__isnull=False)
    return Q(attended=True) | (
        Q(status=Registration.Status.CONFIRMED, attended__isnull=True) & ~Exists(recorded)
    )


def recipients(message: RegistrantMessage) -> QuerySet[Registration]:
    """Who gets ``message``, in registration id order (the order batches walk)."""
    if message.kind == Kind.FOLLOW_UP:
        wanted = _follow_up_present()
        if has_absent_text(message):
            wanted |= Q(attended=False)
    else:
        by_group = {
            RecipientGroup.CONFIRMED: Q(status=Registration.Status.CONFIRMED),
            RecipientGroup.WAITLISTED: Q(status=Registration.Status.WAITLISTED),
            RecipientGroup.ATTENDED: Q(attended=True),
            RecipientGroup.ABSENT: Q(attended=False),
        }
        chosen = [by_group[group] for group in message.recipients or [] if group in by_group]
        if not chosen:
            return Registration.objects.none()
        wanted = chosen[0]
        for q in chosen[1:]:
            wanted |= q
    return _scope(message).filter(wanted).order_by("pk")


def recipient_counts(message: RegistrantMessage) -> dict[str, int]:
    """How many registrants the message would go to (``total``), and for a follow-up how many of
    them get the text for those who did not attend (``absent``)."""
    chosen = recipients(message)
    counts = {"total": chosen.count()}
    if message.kind == Kind.FOLLOW_UP:
        counts["absent"] = chosen.filter(attended=False).count()
    return counts


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def is_absent(message: RegistrantMessage, registration: Registration) -> bool:
    """A follow-up's reader who was recorded as not attending (gets the ``absent_*`` text)."""
    return message.kind == Kind.FOLLOW_UP and registration.attended is False


def _template(message: RegistrantMessage) -> str:
    return "events/follow_up" if message.kind == Kind.FOLLOW_UP else "events/message"


@dataclass(frozen=True)
class _Rendered:
    """A message's text as everyone reading ``language`` gets it, placeholders still tokens."""

    subject: str
    html: str
    text: str
    uses_join_link: bool


def _render(message: RegistrantMessage, *, absent: bool, language: str) -> _Rendered:
    """The subject and the body (HTML and plain text) for a reader of ``language``: theirs, else
    the other (the HTML marked with its ``lang``); for an absent reader, the absent text."""
    subject_field, body_field = ("absent_subject", "absent_body") if absent else ("subject", "body")
    subject = localised(message, subject_field, language).value or localised(message, "subject", language).value
    body, body_language = localised(message, body_field, language)
    source = _tokenised(body)
    html: str = render_markdown(source)
    if body_language not in ("", language):
        html = format_html('<div lang="{}">{}</div>', body_language, html)
    return _Rendered(
        subject=subject, html=html, text=render_plain_text(source).rstrip("\n"),
        uses_join_link="join_link" in placeholders_in(body),
    )


Rendered = dict[tuple[str, bool], _Rendered]


def message_context(
    message: RegistrantMessage, registration: Registration, rendered: Rendered | None = None
) -> tuple[str, dict[str, Any]]:
    """The language of ``registration``'s copy and everything its templates read. ``rendered``
    keeps the message's text per language across the calls of one batch."""
    language = registration_language(registration)
    absent = is_absent(message, registration)
    rendered = {} if rendered is None else rendered
    if (language, absent) not in rendered:
        rendered[language, absent] = _render(message, absent=absent, language=language)
    text = rendered[language, absent]
    values = placeholder_values(registration, language=language, join_link=text.uses_join_link)
    session = registration.session
    with translation.override(language):
        context: dict[str, Any] = {
            "message": message,
            "registration": registration,
            "session": session,
            "event": session.event,
            "subject": text.subject,
            # Sanitised Markdown with escaped values in it.
            "body_html": mark_safe(fill_placeholders(text.html, values, html=True)),  # noqa: S308
            "body_text": fill_placeholders(text.text, values, html=False),
            "manage_url": values["manage_link"],
            "event_url": event_url(session, language=language),
            "absent": absent,
            "recording_url": message.recording_url if message.kind == Kind.FOLLOW_UP else "",
            "slides_url": message.slides_url if message.kind == Kind.FOLLOW_UP else "",
            "feedback_url": (
                feedback.feedback_url(registration) if message.kind == Kind.FOLLOW_UP and not absent else ""
            ),
        }
    return language, context


@dataclass(frozen=True)
class Preview:
    language: str
    subject: str
    html: SafeString
    absent: bool = False


def sample_registration(message: RegistrantMessage, *, name: str, email: str, language: str) -> Registration:
    """A registrant who does not exist (never saved) to preview and test-send with: the author's
    name and address, the message's session (else the event's first), confirmed. Its own-page
    link leads to the broken-link page; no real registrant's link is shown to the author."""
    session = message.session or Session.objects.filter(event_id=message.event_id).order_by("start").first()
    if session is not None:
        session.event = message.event
    return Registration(
        session=session, name=name, email=email, language=language, status=Registration.Status.CONFIRMED,
        attended=None,
    )


def previews(message: RegistrantMessage, *, name: str, email: str) -> list[Preview]:
    """The message as a sample registrant reads it in each language (and, for a follow-up with
    a text for those who did not attend, that one too)."""
    result = []
    variants = [False, True] if message.kind == Kind.FOLLOW_UP and has_absent_text(message) else [False]
    for absent in variants:
        for language in AVAILABLE_LANGUAGES:
            sample = sample_registration(message, name=name, email=email, language=language)
            if sample.session is None:
                return []
            sample.attended = False if absent else None
            _language, context = message_context(message, sample)
            result.append(Preview(language=language, subject=context["subject"], html=context["body_html"],
                                  absent=absent))
    return result


# ---------------------------------------------------------------------------------------------
# Test send and sending
# ---------------------------------------------------------------------------------------------


def send_test(*, message: RegistrantMessage, user: Any) -> list[OutgoingEmail]:
    """A copy in each language to ``user``'s own address, rendered for a sample registrant with
    their name, its subject marked as a test. Not in the message's outbox group, so never counted
    with the real sending; nobody else gets anything. Returns the emails written (none without
    an address or a session)."""
    email = getattr(user, "email", "") or ""
    if not email:
        return []
    name = (user.get_full_name() if hasattr(user, "get_full_name") else "") or email
    written = []
    with transaction.atomic():
        for language in AVAILABLE_LANGUAGES:
            sample = sample_registration(message, name=name, email=email, language=language)
            if sample.session is None:
                return []
            _language, context = message_context(message, sample)
            subject, text, html = render_email(_template(message), context, language=language)
            with translation.override(language):
                subject = _("[Test] %(subject)s") % {"subject": subject}
            written.append(
                outbox.queue_email(
                    to=email, subject=subject, body_text=text, body_html=html, language=language,
                    purpose="events/registrant_message_test",
                )
            )
    return written


def _queue_message(message: RegistrantMessage, registration: Registration, rendered: Rendered) -> int:
    language, context = message_context(message, registration, rendered)
    return queue_templated_email(
        to=registration.email,
        template=_template(message),
        context=context,
        language=language,
        purpose=f"events/{message.kind}",
        idempotency_key=message.idempotency_key(registration.pk),
        group=message.outbox_group,
        enqueue_after_commit=False,
    ).pk


@transaction.atomic
def start_sending(*, message_id: int, by: Any = None) -> UUID | None:
    """Mark a draft as queued, count its recipients and record who sent it (audit log). Returns
    the token of its batch chain, which the caller hands to the first batch task after commit;
    ``None`` when it was not a draft."""
    message = RegistrantMessage.objects.select_for_update().select_related("event").get(pk=message_id)
    if message.state != State.DRAFT:
        return None
    now = timezone.now()
    message.state = State.QUEUED
    message.send_started_at = now
    message.total_recipients = recipients(message).count()
    message.chain, message.chain_queued_at = uuid4(), now
    message.save(update_fields=["state", "send_started_at", "total_recipients", "chain", "chain_queued_at"])
    audit.record(
        actor=by, action="registrants_messaged", target=message,
        detail={"kind": message.kind, "recipients": message.total_recipients, "event": message.event_id,
                "session": message.session_id},
    )
    return message.chain


@transaction.atomic
def send_batch(
    *, message_id: int, chain: UUID, batch_size: int | None = None, on_next: Callable[[UUID], object] | None = None
) -> UUID | None:
    """Write the next batch of the message's emails to the outbox (one per recipient after the
    cursor) and move the cursor — if ``chain`` is the message's current token; otherwise do
    nothing. Returns the token for the next batch task (queued by the caller after commit), or
    ``None`` when nothing is left (the last batch, a spent token, a message not queued: sent or
    cancelled). Locks the message; a batch is all-or-nothing; rows already written (a re-run)
    are skipped by their keys. ``on_next`` (the task's "queue the next batch") is called with the
    next token after the commit, before this batch's emails are handed to Celery: the next batch
    is then written while these are delivered, instead of waiting behind them in the queue."""
    message = RegistrantMessage.objects.select_for_update().select_related("event").filter(pk=message_id).first()
    if message is None or message.state != State.QUEUED or message.chain != chain:
        return None
    batch_size = batch_size or BATCH_SIZE
    batch = list(
        recipients(message).filter(pk__gt=message.cursor).select_related("session__event")[:batch_size]
    )
    following = uuid4() if len(batch) == batch_size else None
    if following is not None and on_next is not None:
        transaction.on_commit(lambda: on_next(following))
    written = outbox.written_keys(message.idempotency_key(r.pk) for r in batch)
    rendered: Rendered = {}
    queued = [
        _queue_message(message, registration, rendered)
        for registration in batch
        if message.idempotency_key(registration.pk) not in written
    ]
    outbox.enqueue_all_after_commit(queued)  # the batch's emails in a few tasks, after its commit
    now = timezone.now()
    message.chain_queued_at = now
    if batch:
        message.cursor = batch[-1].pk
    if following is not None:
        message.chain = following
    else:
        message.state = State.SENT
        message.finished_at = now
        message.chain = message.chain_queued_at = None
    written_count = sum(outbox.count_by_status(group=message.outbox_group).values())
    message.total_recipients = max(message.total_recipients, written_count)
    message.save(update_fields=["cursor", "state", "finished_at", "total_recipients", "chain", "chain_queued_at"])
    return message.chain


def stalled_message_ids(*, older_than: timedelta = STALLED_AFTER) -> list[int]:
    """Messages still queued whose chain has had no task queued for ``older_than`` (a killed
    worker, a lost task): the periodic task resumes them."""
    cutoff = timezone.now() - older_than
    queued = RegistrantMessage.objects.filter(state=State.QUEUED)
    stalled = queued.filter(Q(chain_queued_at__lt=cutoff) | Q(chain_queued_at__isnull=True))
    return list(stalled.order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def resume_chain(*, message_id: int, older_than: timedelta = STALLED_AFTER) -> UUID | None:
    """The current token to queue one more batch task with, if the chain is (still) stalled;
    ``None`` otherwise (see ``mailing.services.resume_chain`` for why the token is not renewed)."""
    now = timezone.now()
    message = RegistrantMessage.objects.select_for_update().filter(pk=message_id).first()
    if message is None or message.state != State.QUEUED:
        return None
    if message.chain_queued_at is not None and message.chain_queued_at >= now - older_than:
        return None
    message.chain_queued_at = now
    message.save(update_fields=["chain_queued_at"])
    return message.chain


def can_cancel(message: RegistrantMessage) -> bool:
    """While it is queued, or sent to the outbox with emails still waiting there."""
    if message.state == State.QUEUED:
        return True
    return message.state == State.SENT and progress(message)[OutgoingEmail.Status.QUEUED] > 0


@transaction.atomic
def cancel_sending(*, message_id: int) -> int | None:
    """Stop a message: no more batches, and every email of it still waiting in the outbox is
    cancelled. Returns how many emails were cancelled, or ``None`` when it could not be
    cancelled (a draft, already cancelled, or everything already went out)."""
    message = RegistrantMessage.objects.select_for_update().get(pk=message_id)
    if not can_cancel(message):
        return None
    message.state = State.CANCELLED
    message.cancelled_at = timezone.now()
    message.chain = message.chain_queued_at = None
    message.save(update_fields=["state", "cancelled_at", "chain", "chain_queued_at"])
    return outbox.cancel_queued(groups=[message.outbox_group])


def cancel_messages_to(registration: Registration) -> int:
    """Cancel what is still waiting in the outbox for ``registration`` from the messages of its
    event being sent (queued, or sent with emails still waiting): done when the registration is
    cancelled (``registration_cancelled``), as a copy written before that (with a join link, say)
    is no longer theirs to get. Batches written later skip the registration anyway
    (``recipients``). Returns how many emails were cancelled."""
    open_messages = RegistrantMessage.objects.filter(
        event__sessions=registration.session_id, state__in=[State.QUEUED, State.SENT]
    )
    keys = [message.idempotency_key(registration.pk) for message in open_messages.only("pk")]
    return outbox.cancel_queued_keys(keys=keys) if keys else 0


def registration_cancelled(sender: Any, *, registration: Registration, **kwargs: Any) -> None:
    """Receives ``events.signals.registration_cancelled`` (connected in ``EventsConfig.ready``:
    ``services`` cannot import this module, which imports it)."""
    cancel_messages_to(registration)


def progress(message: RegistrantMessage) -> dict[str, int]:
    """How many of the message's emails are in each outbox status (test copies are not counted)."""
    return outbox.count_by_status(group=message.outbox_group)
