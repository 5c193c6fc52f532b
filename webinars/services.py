"""Writes with rules for online sessions: setting a meeting's link, join-link emails, reminders.

Every email goes to the outbox inside the transaction, with an idempotency key, so each message
is written at most once: the join link once per registration, session and link version, each
reminder once per registration, session and start (a moved session, or a switch to another
date, gets new reminders). Each carries the
join link (a "Join the webinar" button), the registrant's manage link and their personal
calendar file (``events.services.calendar_attachment``), as the confirmation does.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from core.personal_data import ANONYMISED_DOMAIN
from events import attendance
from events.models import Event, Registration, Session
from events.services import EmailSection, queue_registrant_email, registration_language
from outbox import services as outbox

from . import zoom
from .models import Meeting, Webinar, ZoomRegistrant, ZoomState

logger = logging.getLogger(__name__)

REMINDERS: tuple[tuple[str, timedelta], ...] = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))
# Someone who registered this recently has just received the link; no reminder yet.
REMINDER_GRACE = timedelta(minutes=30)


def meeting_for(session: Session) -> Meeting | None:
    """The session's meeting if it has a join link."""
    return Meeting.objects.filter(session_id=session.pk).exclude(join_url="").first()


@dataclass(frozen=True)
class JoinLink:
    """The link (and the meeting's ID and passcode) one registrant joins with. Private."""

    join_url: str
    meeting_id: str = ""
    passcode: str = ""

    def __repr__(self) -> str:  # never the link or passcode in a log line or a traceback
        return "<JoinLink>"


def join_link_for(registration: Registration, meeting: Meeting | None) -> JoinLink | None:
    """The registrant's personal Zoom link when one is stored for the session's current Zoom
    meeting, else the meeting's shared link (the one a coordinator entered, or Zoom's own when
    they left it blank), else None. Reads ``registration.zoom_registrant`` (a query unless
    selected)."""
    if meeting is None:
        return None
    try:
        personal = registration.zoom_registrant
    except ZoomRegistrant.DoesNotExist:
        personal = None
    if personal is not None and personal.join_url and meeting.zoom_meeting_id == personal.zoom_meeting_id:
        return JoinLink(join_url=personal.join_url, meeting_id=meeting.meeting_id, passcode=meeting.passcode)
    if meeting.join_url:
        return JoinLink(join_url=meeting.join_url, meeting_id=meeting.meeting_id, passcode=meeting.passcode)
    return None


def join_link_section(meeting: Meeting | JoinLink, *, language: str) -> EmailSection:
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
    for registration in session.registrations.confirmed().select_related("zoom_registrant"):
        registration.session = session
        _queue_join_link_email(registration, session, meeting, key_suffix=key_suffix)
        count += 1
    return count


def _queue_join_link_email(registration: Registration, session: Session, meeting: Meeting, *, key_suffix: str) -> None:
    """One join-link email to one registrant, with the calendar invitation, into the outbox (in
    the caller's transaction). ``key_suffix`` tells this sending apart from the others to the
    same registrant (the meeting's fingerprint, a resend, a personal Zoom link)."""
    _queue_with_join_link(
        registration, session, meeting, template="webinars/join_link",
        key=f"webinars:join-link:{registration.pk}:s{session.pk}:{key_suffix}",
    )


def _queue_with_join_link(registration: Registration, session: Session, meeting: Meeting, *, template: str, key: str) -> None:
    """A join-link or reminder email to one registrant into the outbox (in the caller's
    transaction): the registration engine's email (``events.services.queue_registrant_email``:
    the links and the personal calendar file, in the registrant's language — a worker sending
    reminders is in the default one) with the join-link block as its one section."""
    language = registration_language(registration)
    section = join_link_section(join_link_for(registration, meeting) or meeting, language=language)
    queue_registrant_email(registration, session=session, template=template, key=key, extra={"sections": [section]})


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
                session.registrations.confirmed()
                .filter(confirmed_at__lte=min(now - REMINDER_GRACE, session.start - lead))
                .select_related("zoom_registrant")
            )
            keys = {reminder_key(kind, r, session): r for r in registrations}
            already = outbox.written_keys(keys)
            for key, registration in keys.items():
                if key in already:
                    continue
                registration.session = session
                with transaction.atomic():
                    _queue_with_join_link(
                        registration, session, session.meeting, template=f"webinars/reminder_{kind}", key=key
                    )
                queued += 1
    return queued


# ----------------------------------------------------------------------------------------
# Zoom's API (only when it is configured: ``zoom.is_configured()``)
#
# The portal keeps Zoom in step with its own data, never the other way round: a session of a
# webinar on Zoom gets a meeting in Zoom (created, moved, deleted when cancelled), each
# confirmed registrant a registrant in it with a personal join link. Everything here is
# idempotent and reads what to do from the database, so a task may run twice, and
# ``zoom_work_due`` finds what a lost task (Redis down at commit, Zoom down for longer than the
# retries) left undone.
# ----------------------------------------------------------------------------------------

#: How long after a session ended its attendance is still fetched from Zoom (by the sweep).
ATTENDANCE_WINDOW = timedelta(days=2)
#: Zoom's participants report is complete only a little after the meeting ended.
ATTENDANCE_DELAY = timedelta(minutes=10)


@dataclass(frozen=True)
class MeetingSync:
    """What ``sync_zoom_meeting`` did: ``created`` a meeting in Zoom (its registrants are then
    to be added), or not."""

    state: str = ""
    created: bool = False


def uses_zoom(session: Session) -> bool:
    """Zoom's API is configured and the session belongs to a webinar held on Zoom."""
    if not zoom.is_configured():
        return False
    platform = Webinar.objects.filter(event_id=session.event_id).values_list("platform", flat=True).first()
    return platform is not None and platform.strip().lower() in ("zoom", "")


def _zoom_details(session: Session) -> dict:
    with translation.override(settings.LANGUAGE_CODE):
        topic = str(session.event.title)
    return {
        "topic": topic,
        "start": session.start,
        "duration_minutes": max(1, math.ceil((session.end - session.start).total_seconds() / 60)),
        "time_zone": session.time_zone,
    }


def _fingerprint(details: dict) -> str:
    text = "\n".join(f"{key}={details[key]!s}" for key in sorted(details))
    return hashlib.sha256(text.encode()).hexdigest()


def sync_zoom_meeting(*, session_id: int) -> MeetingSync:
    """Create the session's meeting in Zoom, or update it if the session's title, time or
    length changed since the last sync, or delete it once the session is cancelled. Raises
    ``zoom.ZoomUnavailable`` (and ``ZoomRateLimited``) for the task to retry; records any other
    refusal on the meeting (shown in the admin) and stops.

    A join link, meeting ID or passcode a coordinator entered is never overwritten: the shared
    link stays theirs, the fallback for anyone without a personal link. Left blank, they are
    filled with the Zoom meeting's own. Holds the meeting row's lock during the one Zoom call
    (at most ``ZOOM_TIMEOUT``), so two runs never create two meetings."""
    session = Session.objects.select_related("event").filter(pk=session_id).first()
    if session is None or not uses_zoom(session):
        return MeetingSync()
    now = timezone.now()
    over = session.is_cancelled or session.end <= now
    with transaction.atomic():
        if not over:
            Meeting.objects.get_or_create(session=session)
        meeting = Meeting.objects.select_for_update().filter(session=session).first()
        if meeting is None:
            return MeetingSync()
        if session.is_cancelled:
            return MeetingSync(state=_delete_zoom_meeting(meeting, now=now))
        if over:
            return MeetingSync(state=meeting.zoom_state)
        details = _zoom_details(session)
        fingerprint = _fingerprint(details)
        created = False
        try:
            if not meeting.zoom_meeting_id:
                answer = zoom.create_meeting(**details)
                created = True
                meeting.zoom_meeting_id = answer.id
                if not meeting.join_url:
                    meeting.join_url = answer.join_url[:500]
                    meeting.meeting_id = meeting.meeting_id or _spaced(answer.id)
                    meeting.passcode = meeting.passcode or answer.passcode[:60]
            elif meeting.zoom_fingerprint != fingerprint or meeting.zoom_state != ZoomState.SYNCED:
                zoom.update_meeting(meeting.zoom_meeting_id, **details)
        except zoom.ZoomUnavailable:
            raise
        except zoom.ZoomError as exc:
            meeting.zoom_state, meeting.zoom_error, meeting.zoom_checked_at = ZoomState.FAILED, str(exc)[:300], now
            meeting.save()
            return MeetingSync(state=ZoomState.FAILED)
        meeting.zoom_state, meeting.zoom_error, meeting.zoom_checked_at = ZoomState.SYNCED, "", now
        meeting.zoom_fingerprint = fingerprint
        meeting.save()
    return MeetingSync(state=ZoomState.SYNCED, created=created)


def _delete_zoom_meeting(meeting: Meeting, *, now: datetime) -> str:
    """A cancelled session's meeting goes from Zoom, and with it the personal links we hold."""
    if meeting.zoom_meeting_id and meeting.zoom_state != ZoomState.DELETED:
        zoom.delete_meeting(meeting.zoom_meeting_id)
        ZoomRegistrant.objects.filter(zoom_meeting_id=meeting.zoom_meeting_id).delete()
        meeting.zoom_state, meeting.zoom_error = ZoomState.DELETED, ""
    meeting.zoom_checked_at = now
    meeting.save()
    return meeting.zoom_state


def _spaced(meeting_id: str) -> str:
    """Zoom's meeting ID as people read it: "851 2345 6789"."""
    digits = meeting_id.strip()
    if not digits.isdigit() or len(digits) < 9:
        return digits
    return f"{digits[:3]} {digits[3:-4]} {digits[-4:]}"


def zoom_target(registration: Registration) -> str:
    """The Zoom meeting the registration belongs in: its session's, if it is confirmed for a
    session that goes ahead and has not ended, and that meeting is in step with Zoom; else ""."""
    session = registration.session
    if (
        registration.status != Registration.Status.CONFIRMED
        or not session.goes_ahead
        or session.end <= timezone.now()
        or registration.email.endswith(f"@{ANONYMISED_DOMAIN}")  # anonymised
    ):
        return ""
    meeting = Meeting.objects.filter(session_id=session.pk, zoom_state=ZoomState.SYNCED).first()
    return meeting.zoom_meeting_id if meeting else ""


def sync_zoom_registrant(*, registration_id: int) -> str:
    """Put the registration where it belongs in Zoom (``zoom_target``): add it to its session's
    meeting (storing the personal join link and emailing it, once), cancel it in a meeting it
    no longer belongs in (cancelled, switched to another date, session cancelled), or both.
    Returns the registrant's state: "added", "failed" (Zoom refused; recorded) or "" (nothing in
    Zoom). Raises ``zoom.ZoomUnavailable`` for the task to retry. The ``ZoomRegistrant`` row is
    locked during the Zoom calls, so two runs for one registration queue behind each other
    (the registration itself is not locked during them: cancelling never waits for Zoom). After
    Zoom adds the registrant the registration is read again, locked: if it was cancelled or
    switched meanwhile, the registrant is cancelled in Zoom and no join-link email goes out."""
    if not zoom.is_configured():
        return ""
    if not Registration.objects.filter(pk=registration_id).exists():
        return ""  # deleted: its row went with it
    with transaction.atomic():
        ZoomRegistrant.objects.get_or_create(registration_id=registration_id)
        row = ZoomRegistrant.objects.select_for_update().filter(registration_id=registration_id).first()
        if row is None:
            return ""  # removed by a run that held the lock: it settled the registration (the sweep checks again)
        registration = Registration.objects.select_related("session__event").get(pk=registration_id)
        target = zoom_target(registration)
        if row.registrant_id and row.zoom_meeting_id != target:
            zoom.cancel_registrant(row.zoom_meeting_id, row.registrant_id)
            row.zoom_meeting_id = row.registrant_id = row.join_url = row.error = ""
        elif row.zoom_meeting_id != target:
            row.zoom_meeting_id = row.error = ""  # a refusal by another meeting says nothing here
        if target and not row.registrant_id and not row.error:
            first, _space, last = registration.name.strip().partition(" ")
            try:
                added = zoom.add_registrant(target, email=registration.email, first_name=first, last_name=last)
            except zoom.ZoomUnavailable:
                raise
            except zoom.ZoomError as exc:
                row.zoom_meeting_id, row.error = target, str(exc)[:300]
                row.save()
                return "failed"
            row.zoom_meeting_id, row.registrant_id, row.join_url, row.error = target, added.id, added.join_url, ""
            row.save()
            # Read unlocked before Zoom's answer: a cancellation (or switch) may have been
            # committed since. Read again, locked, and send the link only if it still belongs.
            registration = (
                Registration.objects.select_for_update()
                .select_related("session__event")
                .filter(pk=registration_id)
                .first()
            )
            if registration is None or zoom_target(registration) != target:
                return _withdraw_registrant(row)
            registration.zoom_registrant = row
            _send_personal_join_link(registration, row)
            return "added"
        if not row.registrant_id and not row.error:
            row.delete()
            return ""
        row.save()
        return "added" if row.registrant_id else "failed"


def _withdraw_registrant(row: ZoomRegistrant) -> str:
    """Zoom has just added a registrant whose registration no longer belongs in that meeting
    (cancelled, switched or erased while Zoom answered): cancel it in Zoom at once, without
    emailing the link. If Zoom cannot do that now, the row stays, with Zoom's registrant id, for
    the cancellation's own task or the sweep (``_registrants_due``) to cancel."""
    try:
        zoom.cancel_registrant(row.zoom_meeting_id, row.registrant_id)
    except zoom.ZoomError as exc:
        logger.info("A Zoom registrant no longer wanted is left for the sweep to cancel (%s).", type(exc).__name__)
        return "added"
    row.delete()
    return ""


def _send_personal_join_link(registration: Registration, row: ZoomRegistrant) -> None:
    """The join-link email with the registrant's personal link, once per Zoom registrant (in the
    caller's transaction, like every email)."""
    session = registration.session
    meeting = Meeting.objects.get(session_id=session.pk)
    if not row.join_url or not session.goes_ahead or session.end <= timezone.now():
        return
    _queue_join_link_email(registration, session, meeting, key_suffix=f"zoom:{row.registrant_id}")


def fetch_zoom_participants(*, session_id: int) -> int:
    """Read the participants report of the session's Zoom meeting and hand it to the
    registration engine's attendance record (``events.attendance.record_participants``, which
    matches rows to registrations). Returns the number of rows. Idempotent as far as that is:
    the whole report is handed over each time.

    Nothing is read before ``ATTENDANCE_DELAY`` after the session's end (Zoom's report is
    incomplete until then). An empty report records nothing and leaves the attendance unfetched,
    so the sweep asks again (until ``ATTENDANCE_WINDOW``) instead of marking everyone absent for
    good from a report Zoom had not finished."""
    meeting = Meeting.objects.select_related("session__event").filter(session_id=session_id).first()
    if meeting is None or not meeting.zoom_meeting_id or not zoom.is_configured():
        return 0
    if timezone.now() < meeting.session.end + ATTENDANCE_DELAY:
        return 0
    participants = zoom.participants_report(meeting.zoom_meeting_id)
    rows = [
        attendance.ParticipantRow(
            name=p.name, email=p.email, join_time=p.join_time, leave_time=p.leave_time,
            duration_seconds=p.duration_seconds,
        )
        for p in participants
    ]
    if not rows:
        return 0
    with transaction.atomic():
        attendance.record_participants(session=meeting.session, rows=rows)
        Meeting.objects.filter(pk=meeting.pk).update(participants_fetched_at=timezone.now())
    return len(rows)


def session_for_zoom_meeting(zoom_meeting_id: str) -> int | None:
    """The session whose meeting is Zoom's ``zoom_meeting_id`` (for the webhook), or None."""
    if not zoom_meeting_id:
        return None
    return Meeting.objects.filter(zoom_meeting_id=zoom_meeting_id).values_list("session_id", flat=True).first()


@dataclass(frozen=True)
class ZoomWork:
    """What is due with Zoom: ids for ``webinars.tasks``."""

    meetings: list[int]
    registrations: list[int]
    attendance: list[int]


def zoom_work_due(*, now: datetime | None = None, limit: int = 200) -> ZoomWork:
    """What the tasks left undone, found from the data (the periodic sweep queues it again):
    sessions of Zoom webinars that have no meeting in Zoom yet, were changed since their last
    sync, or were cancelled with a meeting still in Zoom; confirmed registrations not yet in
    their session's meeting, and registrants in a meeting they no longer belong in; sessions
    ended a little while ago whose attendance was not fetched yet. Rows changed in the last two
    minutes are left to the task queued for them. Nothing when Zoom is not configured."""
    if not zoom.is_configured():
        return ZoomWork([], [], [])
    now = now or timezone.now()
    settled = now - timedelta(minutes=2)
    zoom_webinars = Webinar.objects.filter(platform__iregex=r"^\s*(zoom)?\s*$").values("event_id")
    sessions = Session.objects.filter(event_id__in=zoom_webinars)
    upcoming = sessions.filter(end__gt=now, status=Session.Status.SCHEDULED, event__status=Event.Status.PUBLISHED)
    return ZoomWork(
        meetings=_meetings_due(sessions, upcoming, settled=settled, limit=limit),
        registrations=_registrants_due(upcoming, settled=settled, limit=limit),
        attendance=list(
            Session.objects.filter(
                meeting__zoom_meeting_id__gt="",
                meeting__participants_fetched_at__isnull=True,
                end__lte=now - ATTENDANCE_DELAY,
                end__gt=now - ATTENDANCE_WINDOW,
                status=Session.Status.SCHEDULED,
            )
            .exclude(meeting__zoom_state=ZoomState.DELETED)
            .values_list("pk", flat=True)[:limit]
        ),
    )


def _meetings_due(sessions: QuerySet[Session], upcoming: QuerySet[Session], *, settled: datetime, limit: int) -> list[int]:
    """Upcoming sessions never synced or changed since; cancelled ones with a meeting in Zoom."""
    to_sync = upcoming.filter(updated_at__lte=settled).filter(
        Q(meeting__isnull=True)
        | Q(meeting__zoom_checked_at__isnull=True)
        | Q(meeting__zoom_checked_at__lt=F("updated_at"))
    )
    to_delete = (
        sessions.filter(meeting__zoom_meeting_id__gt="", updated_at__lte=settled)
        .filter(Q(status=Session.Status.CANCELLED) | Q(event__status=Event.Status.CANCELLED))
        .exclude(meeting__zoom_state=ZoomState.DELETED)
    )
    ids = list(to_sync.values_list("pk", flat=True)[:limit]) + list(to_delete.values_list("pk", flat=True)[:limit])
    return sorted(set(ids))


def _registrants_due(upcoming: QuerySet[Session], *, settled: datetime, limit: int) -> list[int]:
    """Confirmed registrations missing from their session's meeting, and registrants left in a
    meeting they no longer belong in (cancelled, switched, anonymised)."""
    anonymised = f"@{ANONYMISED_DOMAIN}"
    to_add = (
        Registration.objects.confirmed()
        .filter(session__in=upcoming.filter(meeting__zoom_state=ZoomState.SYNCED), updated_at__lte=settled)
        .exclude(zoom_registrant__zoom_meeting_id=F("session__meeting__zoom_meeting_id"))
        .exclude(email__endswith=anonymised)
        .values_list("pk", flat=True)[:limit]
    )
    to_cancel = (
        ZoomRegistrant.objects.exclude(registrant_id="")
        .filter(updated_at__lte=settled)
        .filter(
            ~Q(registration__status=Registration.Status.CONFIRMED)
            | Q(registration__email__endswith=anonymised)
            | ~Q(zoom_meeting_id=F("registration__session__meeting__zoom_meeting_id"))
        )
        .values_list("registration_id", flat=True)[:limit]
    )
    return sorted(set(to_add) | set(to_cancel))


def confirmed_registration_ids(*, session_id: int) -> list[int]:
    """The confirmed registrations of a session (to add to its newly created Zoom meeting)."""
    return list(Registration.objects.confirmed().filter(session_id=session_id).values_list("pk", flat=True))
