"""Writes with rules for online sessions: setting a meeting's link, join-link emails, reminders.

Every email goes to the outbox inside the transaction, with an idempotency key, so each message
is written at most once: the join link once per registration, session and link version, each
reminder once per registration, session and start (a moved session, or a switch to another
date, gets new reminders). Each carries the
join link (a "Join the webinar" button), the registrant's manage link and their personal
calendar file (``events.calendar.session_invitation``), as the confirmation does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from events import calendar
from events.models import Registration, Session
from events.services import EmailSection, event_url, manage_url, registration_language, registration_outbox_group
from outbox import services as outbox
from outbox.services import Attachment, queue_templated_email

from .models import Meeting

REMINDERS: tuple[tuple[str, timedelta], ...] = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))
# Someone who registered this recently has just received the link; no reminder yet.
REMINDER_GRACE = timedelta(minutes=30)


def meeting_for(session: Session) -> Meeting | None:
    """The session's meeting if it has a join link."""
    return Meeting.objects.filter(session_id=session.pk).exclude(join_url="").first()


def join_link_section(meeting: Meeting, *, language: str) -> EmailSection:
    """The join-link block that goes into emails to a confirmed registrant."""
    with translation.override(language or settings.LANGUAGE_CODE):
        text = render_to_string("emails/webinars/_join_link.txt", {"meeting": meeting}, using="text")
        html = render_to_string("emails/webinars/_join_link.html", {"meeting": meeting})
    return EmailSection(text=text, html=mark_safe(html))  # noqa: S308 — rendered by an autoescaping template


@transaction.atomic
def set_meeting(*, session: Session, join_url: str, meeting_id: str = "", passcode: str = "") -> Meeting:
    """Create or change a session's meeting. When the link is added or changed, every confirmed
    registrant of an upcoming, scheduled session of a published event gets it by email (once per
    link version); nobody is emailed a link for a draft or cancelled event."""
    meeting, _created = Meeting.objects.select_for_update().get_or_create(session=session)
    before = meeting.fingerprint if not _created else None
    meeting.join_url, meeting.meeting_id, meeting.passcode = join_url.strip(), meeting_id.strip(), passcode.strip()
    meeting.save()
    if meeting.join_url and meeting.fingerprint != before:
        _send_join_link(meeting, key_suffix=meeting.fingerprint)
    return meeting


@transaction.atomic
def resend_join_link(*, session: Session) -> int:
    """Send the join link again to every confirmed registrant (the admin's action)."""
    meeting = meeting_for(session)
    if meeting is None:
        return 0
    return _send_join_link(meeting, key_suffix=f"resend:{timezone.now().timestamp():.6f}")


def _send_join_link(meeting: Meeting, *, key_suffix: str) -> int:
    session = Session.objects.select_related("event").get(pk=meeting.session_id)
    if not session.goes_ahead or session.end <= timezone.now():
        return 0
    count = 0
    for registration in session.registrations.confirmed():
        registration.session = session
        queue_templated_email(
            to=registration.email,
            template="webinars/join_link",
            context=_context(registration, session, meeting),
            language=registration_language(registration),
            attachments=[invitation(registration, session)],
            idempotency_key=f"webinars:join-link:{registration.pk}:s{session.pk}:{key_suffix}",
            group=registration_outbox_group(registration),
        )
        count += 1
    return count


def _context(registration: Registration, session: Session, meeting: Meeting) -> dict:
    """What a join-link or reminder email shows, with links in the registrant's language (the
    reminders are queued by a Celery worker, whose language is the default one)."""
    language = registration_language(registration)
    return {
        "registration": registration,
        "session": session,
        "event": session.event,
        "event_url": event_url(session, language=language),
        "manage_url": manage_url(registration),
        "sections": [join_link_section(meeting, language=language)],
    }


def invitation(registration: Registration, session: Session) -> Attachment:
    """The registrant's personal calendar file (with the join link and their manage link), in
    their language, as the confirmation attaches it (``events.services``): a worker sending
    reminders is in the default language."""
    with translation.override(registration_language(registration)):
        content = calendar.session_invitation(session, registration=registration, manage_link=manage_url(registration))
    return Attachment(filename="invite.ics", content=content, mimetype="text/calendar; method=REQUEST")


def reminder_key(kind: str, registration: Registration, session: Session) -> str:
    """Once per registration, kind, session and start: a registration that switched dates gets
    the new date's reminders, and a moved session gets new ones."""
    return f"webinars:reminder:{kind}:{registration.pk}:s{session.pk}:{session.start.isoformat()}"


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Queue the 24-hour and 1-hour reminders (with the join link) that are due. Run every few
    minutes by Celery beat; safe to run any number of times: each reminder is keyed by
    registration, kind, session and the session's start, so a moved session (or a switch to
    another date) gets new reminders and no
    one gets the same reminder twice. Never to cancelled or waitlisted registrations, nor to
    people confirmed after the reminder's moment (``start - lead``)."""
    now = now or timezone.now()
    queued = 0
    for kind, lead in REMINDERS:
        shorter = [other for _k, other in REMINDERS if other < lead]
        window_start = now + max(shorter) if shorter else now
        sessions = (
            Session.objects.going_ahead()
            .filter(start__gt=window_start, start__lte=now + lead, meeting__join_url__gt="")
            .select_related("event", "meeting")
        )
        for session in sessions:
            # Only people confirmed before this reminder's moment: a later registrant got the
            # link in their confirmation (or promotion) a short while ago.
            registrations = list(
                session.registrations.confirmed().filter(
                    confirmed_at__lte=min(now - REMINDER_GRACE, session.start - lead)
                )
            )
            keys = {reminder_key(kind, r, session): r for r in registrations}
            already = outbox.written_keys(keys)
            for key, registration in keys.items():
                if key in already:
                    continue
                registration.session = session
                with transaction.atomic():
                    queue_templated_email(
                        to=registration.email,
                        template=f"webinars/reminder_{kind}",
                        context=_context(registration, session, session.meeting),
                        language=registration_language(registration),
                        attachments=[invitation(registration, session)],
                        idempotency_key=key,
                        group=registration_outbox_group(registration),
                    )
                queued += 1
    return queued
